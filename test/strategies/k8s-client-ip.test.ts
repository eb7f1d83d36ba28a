import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import { k8sClientIp } from "../../sim/strategies/k8s-client-ip.js";
import { ipv4, pool, request } from "../helpers.js";
import { scripted } from "./scripted-random.js";

type Pool = ReturnType<typeof pool>;

const create = (p: Pool, random: () => number, options: Record<string, unknown> = {}) => k8sClientIp.create(p, random, k8sClientIp.options.parse(options));

const A = ipv4("203.0.113.7");
const B = ipv4("198.51.100.20");

describe("k8s-client-ip (Kubernetes sessionAffinity: ClientIP, kube-proxy iptables)", () => {
  it("defaults to Kubernetes' timeoutSeconds 10800 (1..86400), xt_recent's ip_list_tot 100 and one node", () => {
    expect(k8sClientIp.options.parse({})).toEqual({ timeout: 10_800, listSize: 100, nodes: 1 });
    expect(() => k8sClientIp.options.parse({ timeout: 0 })).toThrow();
    expect(() => k8sClientIp.options.parse({ timeout: 86_401 })).toThrow();
    expect(() => k8sClientIp.options.parse({ listSize: 0 })).toThrow();
    expect(() => k8sClientIp.options.parse({ nodes: 0 })).toThrow();
    expect(() => k8sClientIp.options.parse({ nodes: 5001 })).toThrow();
  });

  it("picks a server at random for a new address and keeps it while the address keeps coming back", () => {
    const random = scripted([0.5]); // floor(0.5 * 3) = server 1
    const s = create(pool(3), random);
    // Gaps of 3 h - 1 s: each within the timeout of the previous (last) use, 12 h in all.
    for (let i = 0; i <= 4; i++) expect(s.pick(request({ address: A, now: i * 10_799 }))).toBe(1);
    expect(random.calls()).toBe(1);
  });

  it("picks again once the timeout since the last use has passed (xt_recent: still sticky only while now - last < timeout)", () => {
    const random = scripted([0.0, 0.9]); // server 0, then server 2
    const s = create(pool(3), random);
    expect(s.pick(request({ address: A, now: 100 }))).toBe(0);
    expect(s.pick(request({ address: A, now: 100 + 10_799.999 }))).toBe(0);
    expect(random.calls()).toBe(1);
    expect(s.pick(request({ address: A, now: 100 + 10_799.999 + 10_800 }))).toBe(2);
    expect(random.calls()).toBe(2);
    // The new choice is sticky in its turn.
    expect(s.pick(request({ address: A, now: 30_000 }))).toBe(2);
    expect(random.calls()).toBe(2);
  });

  it("honours the timeout option", () => {
    const random = scripted([0.0, 0.9]);
    const s = create(pool(2), random, { timeout: 60 });
    expect(s.pick(request({ address: A, now: 0 }))).toBe(0);
    expect(s.pick(request({ address: A, now: 59 }))).toBe(0);
    expect(s.pick(request({ address: A, now: 119 }))).toBe(1);
  });

  it("keeps every client behind one address (NAT) on one server, each of them keeping the entry alive", () => {
    const random = scripted([0.7, 0.1]);
    const s = create(pool(4), random);
    const natAddress = ipv4("100.64.0.1");
    // Client 1 at t = 0, client 2 at 7,000 s, client 1 again at 14,000 s: 14,000 s after its own
    // last request but 7,000 s after the address's last use, so still the same server.
    expect(s.pick(request({ address: natAddress, now: 0, sessionKey: 1 }))).toBe(2);
    expect(s.pick(request({ address: natAddress, now: 7_000, sessionKey: 2 }))).toBe(2);
    expect(s.pick(request({ address: natAddress, now: 14_000, sessionKey: 1 }))).toBe(2);
    expect(random.calls()).toBe(1);
    // Another address is independent.
    expect(s.pick(request({ address: B, now: 14_000 }))).toBe(0);
  });

  it("re-picks among eligible servers when the remembered one is not eligible, and stays there after it recovers", () => {
    const p = pool(3);
    const random = scripted([0.5, 0.9]); // server 1, then (among 0 and 2) server 2
    const s = create(p, random);
    expect(s.pick(request({ address: A, now: 0 }))).toBe(1);
    p.eligible[1] = p.accepting[1] = 0;
    s.poolChanged?.("health");
    expect(s.pick(request({ address: A, now: 10 }))).toBe(2);
    p.eligible[1] = p.accepting[1] = 1;
    s.poolChanged?.("health");
    expect(s.pick(request({ address: A, now: 20 }))).toBe(2);
    expect(random.calls()).toBe(2);
  });

  it("forgets a server's clients when it leaves the endpoints, even if it is back before they return", () => {
    const p = pool(3);
    const random = scripted([0.5, 0.0]); // server 1, then server 0
    const s = create(p, random);
    expect(s.pick(request({ address: A, now: 0 }))).toBe(1);
    p.eligible[1] = p.accepting[1] = 0; // kube-proxy deletes server 1's chain and, with it, its recent list
    s.poolChanged?.("health");
    p.eligible[1] = p.accepting[1] = 1; // a new chain with an empty list
    s.poolChanged?.("health");
    expect(s.pick(request({ address: A, now: 30 }))).toBe(0);
    expect(random.calls()).toBe(2);
    // A pool change that does not take server 0 out keeps its clients.
    p.eligible[2] = p.accepting[2] = 0;
    s.poolChanged?.("health");
    expect(s.pick(request({ address: A, now: 40 }))).toBe(0);
    expect(random.calls()).toBe(2);
  });

  it("returns -1 when no server is eligible, and picks uniformly among the eligible ones, ignoring weights", () => {
    expect(create(pool(2, { down: [0, 1] }), stream(1, "x")).pick(request({ address: A }))).toBe(-1);
    // Kubernetes endpoints have no weights: iptables' statistic rules give each ready endpoint 1/n.
    // 40,000 distinct addresses: share SD sqrt(0.25 / 40000) = 0.0025 (0.0024 for 1/3); 0.012 is
    // about 5 SD, while weighting 1:9 would give 0.1.
    const n = 40_000;
    const weighted = create(pool(2, { weights: [1, 9] }), stream(2, "x"));
    let zero = 0;
    for (let i = 0; i < n; i++) if (weighted.pick(request({ address: 0x0a000000 + i })) === 0) zero++;
    expect(Math.abs(zero / n - 0.5)).toBeLessThan(0.012);
    const oneDown = create(pool(4, { down: [1] }), stream(3, "x"));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[oneDown.pick(request({ address: 0x0a000000 + i }))]++;
    expect(counts[1]).toBe(0);
    for (const server of [0, 2, 3]) expect(Math.abs(counts[server] / n - 1 / 3)).toBeLessThan(0.012);
  });

  it("keeps live entries and drops expired ones across table sweeps (many addresses over time)", () => {
    const random = stream(4, "x");
    let draws = 0;
    const counting = () => (draws++, random());
    const s = create(pool(5), counting, { timeout: 100, listSize: 10_000 }); // lists large enough to evict nothing
    const at = (base: number, count: number, now: number) => Array.from({ length: count }, (_, i) => s.pick(request({ address: base + i, now })));
    const first = at(0x0a000000, 5000, 0);
    expect(draws).toBe(5000);
    expect(at(0x0a000000, 5000, 99)).toEqual(first); // all still live: no draw
    expect(draws).toBe(5000);
    at(0x0b000000, 5000, 210); // new addresses; the first 5,000 have expired and are swept on the way
    expect(draws).toBe(10_000);
    const again = at(0x0a000000, 5000, 250); // expired: each picks afresh
    expect(draws).toBe(15_000);
    expect(at(0x0b000000, 5000, 300)).not.toContain(-1); // last use 210: still live through the sweeps
    expect(draws).toBe(15_000);
    expect(at(0x0a000000, 5000, 340)).toEqual(again); // and the re-picked ones are sticky again
    expect(draws).toBe(15_000);
  });

  it("forgets the least recently set of 101 addresses on one pod's list (xt_recent ip_list_tot = 100)", () => {
    const addresses = Array.from({ length: 101 }, (_, i) => 0x0a000000 + i);
    // Every new address goes to server 0; the draw after that sends a re-picked one to server 1.
    const random = scripted([...addresses.map(() => 0), 0.9]);
    const s = create(pool(2), random);
    addresses.slice(0, 100).forEach((address, i) => expect(s.pick(request({ address, now: i }))).toBe(0));
    expect(s.pick(request({ address: addresses[0], now: 100 }))).toBe(0); // set again: now the most recent
    expect(random.calls()).toBe(100);
    expect(s.pick(request({ address: addresses[100], now: 101 }))).toBe(0); // the 101st: evicts addresses[1]
    expect(random.calls()).toBe(101);
    expect(s.pick(request({ address: addresses[0], now: 102 }))).toBe(0); // still listed: no draw
    for (let i = 2; i <= 100; i++) expect(s.pick(request({ address: addresses[i], now: 102 + i }))).toBe(0);
    expect(random.calls()).toBe(101);
    expect(s.pick(request({ address: addresses[1], now: 300 }))).toBe(1); // forgotten: balanced afresh
    expect(random.calls()).toBe(102);
  });

  it("with many more addresses per pod than its list holds, affinity decays to random", () => {
    // Addresses come back in a fixed cycle. With 200 of them over 4 pods (about 50 per pod) every
    // list keeps all its addresses; with 4,000 (about 1,000 per pod) each address has been pushed
    // out by the time it returns, so it lands on a uniformly random pod: the same one with p = 1/4.
    const sameShare = (count: number) => {
      const s = create(pool(4), stream(5, "x"));
      const last = new Int32Array(count).fill(-1);
      let same = 0, returns = 0;
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < count; i++) {
          const server = s.pick(request({ address: 0x0a000000 + i, now: round * count + i }));
          if (last[i] >= 0) {
            returns++;
            if (server === last[i]) same++;
          }
          last[i] = server;
        }
      }
      return same / returns;
    };
    expect(sameShare(200)).toBe(1);
    // 12,000 returns: SD (3/16 / 12000)^0.5 = 0.004; 0.02 is 5 SD.
    expect(Math.abs(sameShare(4000) - 0.25)).toBeLessThan(0.02);
  });

  it("keeps each node's lists apart: a request enters through a random node and finds only that node's entries", () => {
    // Draws: the node, then (for an address new there) the pod.
    const random = scripted([0.1, 0.1, 0.9, 0.9, 0.1, 0.9]);
    const s = create(pool(3), random, { nodes: 2 });
    expect(s.pick(request({ address: A, now: 0 }))).toBe(0); // node 0: pod 0
    expect(s.pick(request({ address: A, now: 1 }))).toBe(2); // node 1 has no entry for A: pod 2
    expect(s.pick(request({ address: A, now: 2 }))).toBe(0); // node 0 again: its own entry
    expect(s.pick(request({ address: A, now: 3 }))).toBe(2); // node 1: its own
    expect(random.calls()).toBe(6);
  });

  it("evicts on one node's list without touching another node's", () => {
    let next = 0.1; // below 0.5: node 0 (and pod 0); above: node 1 (and pod 1)
    const s = create(pool(2), () => next, { nodes: 2 });
    expect(s.pick(request({ address: A, now: 0 }))).toBe(0);
    next = 0.9;
    expect(s.pick(request({ address: A, now: 1 }))).toBe(1);
    next = 0.1;
    for (let i = 1; i <= 100; i++) s.pick(request({ address: A + i, now: 1 + i })); // node 0, pod 0: A is pushed out
    expect(s.pick(request({ address: A, now: 200 }))).toBe(0); // node 0 balances A afresh (pod 0 again: the draw is 0.1)
    next = 0.9;
    expect(s.pick(request({ address: A, now: 201 }))).toBe(1); // node 1 still has it
    // Counting draws shows which requests were balanced: a node draw each, a pod draw for a new entry.
    let draws = 0;
    const counted = create(pool(2), () => (draws++, 0.1), { nodes: 2 });
    for (let i = 0; i <= 100; i++) counted.pick(request({ address: A + i, now: i }));
    expect(draws).toBe(202);
    counted.pick(request({ address: A, now: 200 }));
    expect(draws).toBe(204); // A was pushed out of node 0's list by the 100 after it
  });

  it("sends each request through a uniformly random node", () => {
    // Each address comes twice. Through the same node (p = 1/2 with 2 nodes) it keeps its pod; through
    // the other it gets a random one of 4, the same with p = 1/4: 1/2 + 1/2 · 1/4 = 0.625 in all.
    const s = create(pool(4), stream(6, "x"), { nodes: 2 });
    const n = 20_000;
    let same = 0;
    for (let i = 0; i < n; i++) {
      const address = 0x0a000000 + i;
      if (s.pick(request({ address, now: 2 * i })) === s.pick(request({ address, now: 2 * i + 1 }))) same++;
    }
    // SD (0.625 · 0.375 / 20000)^0.5 = 0.0034; 0.02 is over 5 SD (one node would give 1).
    expect(Math.abs(same / n - 0.625)).toBeLessThan(0.02);
  });
});
