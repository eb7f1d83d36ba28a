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
  it("defaults to Kubernetes' timeoutSeconds 10800 and accepts 1..86400", () => {
    expect(k8sClientIp.options.parse({})).toEqual({ timeout: 10_800 });
    expect(() => k8sClientIp.options.parse({ timeout: 0 })).toThrow();
    expect(() => k8sClientIp.options.parse({ timeout: 86_401 })).toThrow();
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
    const s = create(pool(5), counting, { timeout: 100 });
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
});
