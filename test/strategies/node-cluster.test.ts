import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { routeKeys } from "../../sim/route.js";
import { nodeCluster } from "../../sim/strategies/node-cluster.js";
import { addressBytes, stickySessionHash } from "../../sim/strategies/sticky-session-hash.js";
import { ipv4, pool, request, type TestPool } from "../helpers.js";
import { scripted } from "./scripted-random.js";

const create = (p: TestPool, options: Record<string, unknown> = {}, random: () => number = () => 0.5) => nodeCluster.create(p, random, nodeCluster.options.parse(options));

/**
 * The seed design document's own JavaScript run in Node (test/fixtures/node-cluster/seed-routing.cjs
 * wrote this file; its header says how): 4 workers, then s1 dies and is forked again, s4 is added,
 * s0 dies and is forked again. At each step every session started so far and 300 addresses are
 * routed again, then new sessions start; `workers` is the array after the step's change.
 */
interface SeedStep {
  change: string;
  workers: { id: number; server: number }[];
  known: number[];
  fresh: number[];
  addresses: number[];
  ring: number[];
}
const seed: { addresses: string[]; history: SeedStep[] } = JSON.parse(readFileSync(new URL("../fixtures/node-cluster/seed-routing.json", import.meta.url), "utf8"));

/** Applies a step's change to the pool as the balancer would show it: a dead worker's server stops accepting; a fork starts one, or adds s4. */
function apply(p: TestPool, change: string, strategy: ReturnType<typeof create>): void {
  const m = /^(die|fork) s(\d)$/.exec(change);
  if (!m) return;
  const server = Number(m[2]);
  if (server >= p.size) {
    p.size = server + 1;
    p.eligible[server] = p.accepting[server] = 1;
    strategy.poolChanged?.("size");
    return;
  }
  p.eligible[server] = p.accepting[server] = m[1] === "fork" ? 1 : 0;
  strategy.poolChanged?.("health");
}

/** Server index for each of 10.0.0.0/16 with 4-byte keys. */
function slash16(s: ReturnType<typeof create>): Int32Array {
  const out = new Int32Array(65536);
  for (let i = 0; i < 65536; i++) out[i] = s.pick(request({ address: ipv4("10.0.0.0") + i }));
  return out;
}

describe("node-cluster: the seed document's routing, replayed against its JavaScript", () => {
  it("session map: new sessions by MD5 modulo the live workers, kept while their worker lives, reassigned when it died", () => {
    const p = pool(4, { capacity: 5 });
    const s = create(p, { mode: "session" });
    let issued = 0;
    for (const step of seed.history) {
      apply(p, step.change, s);
      const known = Array.from({ length: issued }, (_, id) => s.pick(request({ sessionKey: id })));
      expect(known, step.change).toEqual(step.known);
      const fresh = step.fresh.map((_, i) => s.pick(request({ nextSessionKey: issued + i })));
      expect(fresh, step.change).toEqual(step.fresh);
      issued += step.fresh.length;
    }
  });

  it("address map: the same with the client address", () => {
    const p = pool(4, { capacity: 5 });
    const s = create(p, { mode: "address" });
    for (const step of seed.history) {
      apply(p, step.change, s);
      expect(
        seed.addresses.map((a) => s.pick(request({ address: ipv4(a) }))),
        step.change,
      ).toEqual(step.addresses);
    }
  });

  it("ring: the MD5 ring of 150 points per worker id, points removed at a death and added at a fork", () => {
    const p = pool(4, { capacity: 5 });
    const s = create(p, { mode: "ring" });
    for (const step of seed.history) {
      apply(p, step.change, s);
      expect(
        step.ring.map((_, id) => s.pick(request({ sessionKey: id }))),
        step.change,
      ).toEqual(step.ring);
    }
  });

  it("the history is one that tests something: deaths move sessions, a replacement takes new ones only in the map, and ring keys", () => {
    const [, before, died, reforked] = seed.history;
    expect(died.workers.map((w) => w.id)).toEqual([1, 3, 4]);
    expect(reforked.workers.map((w) => w.id)).toEqual([1, 3, 4, 5]);
    const onS1 = before.known.filter((server) => server === 1).length;
    expect(onS1).toBeGreaterThan(30);
    // The map moves exactly s1's sessions, and nothing back when s1 returns as worker 5.
    expect(died.known.filter((server, id) => server !== before.known[id]).length).toBe(onS1);
    expect(reforked.known.slice(0, 200)).toEqual(died.known);
    expect(reforked.fresh.filter((server) => server === 1).length).toBeGreaterThan(10);
    // The ring gives the returning s1 (worker 5) other points: keys move to it from every server.
    const ringMoved = reforked.ring.slice(0, 200).filter((server, id) => server !== died.ring[id]).length;
    expect(ringMoved).toBeGreaterThan(20);
  });
});

describe("node-cluster: the sticky-session module (indutny/sticky-session 1.1.2)", () => {
  const bytes = new Uint8Array(16);
  const hashOf = (seedValue: number, address: string, mapped = false) => stickySessionHash(seedValue, bytes, addressBytes(ipv4(address), mapped, bytes));

  it("reproduces the module's hash on worked vectors", () => {
    expect(hashOf(0, "127.0.0.1")).toBe(1966403761);
    expect(hashOf(0, "10.0.0.1")).toBe(3260871531);
    expect(hashOf(0, "192.168.1.10")).toBe(1774927457);
    expect(hashOf(0, "203.0.113.7")).toBe(3406353747);
    expect(hashOf(0, "127.0.0.1", true)).toBe(1179224779); // ::ffff:127.0.0.1
    expect(hashOf(12345, "127.0.0.1")).toBe(1915119128);
  });

  it("picks workers[hash % workers.length], in 4 or 16 address bytes as the listener reports them", () => {
    const p = pool(4);
    const four = create(p, { mode: "sticky-session", seed: 0, dualStack: false });
    const mapped = create(p, { mode: "sticky-session", seed: 0 });
    const seeded = create(p, { mode: "sticky-session", seed: 12345, dualStack: false });
    expect(["127.0.0.1", "10.0.0.1", "192.168.1.10", "203.0.113.7"].map((a) => four.pick(request({ address: ipv4(a) })))).toEqual([1, 3, 1, 3]);
    expect(mapped.pick(request({ address: ipv4("127.0.0.1") }))).toBe(3);
    expect(seeded.pick(request({ address: ipv4("127.0.0.1") }))).toBe(0);
  });

  it("defaults to a dual-stack listener and draws the seed from its random stream as (Math.random() · 0xffffffff) | 0", () => {
    expect(nodeCluster.options.parse({ mode: "sticky-session" }).dualStack).toBe(true);
    const random = scripted([0.75]);
    const drawn = create(pool(4), { mode: "sticky-session" }, random);
    expect(random.calls()).toBe(1);
    const fixed = create(pool(4), { mode: "sticky-session", seed: (0.75 * 0xffffffff) | 0 });
    for (const a of ["1.2.3.4", "10.9.8.7", "172.16.0.1"]) expect(drawn.pick(request({ address: ipv4(a) }))).toBe(fixed.pick(request({ address: ipv4(a) })));
    expect((0.75 * 0xffffffff) | 0).toBeLessThan(0); // an int32, negative here as about half of all draws
  });

  it("spreads 10.0.0.0/16 evenly: 16349 / 16396 / 16405 / 16386 over 4 workers with seed 0", () => {
    const servers = slash16(create(pool(4), { mode: "sticky-session", seed: 0, dualStack: false }));
    const counts = [0, 0, 0, 0];
    for (const server of servers) counts[server]++;
    expect(counts).toEqual([16349, 16396, 16405, 16386]);
  });

  it("a worker's death and replacement move the clients of every slot from its index on: (n − i)/n, (n + 1)/(2n) on average", () => {
    const n = 4;
    let sum = 0;
    for (let dead = 0; dead < n; dead++) {
      const p = pool(n);
      const s = create(p, { mode: "sticky-session", seed: 0, dualStack: false });
      const before = slash16(s);
      p.eligible[dead] = p.accepting[dead] = 0;
      s.poolChanged?.("health");
      p.eligible[dead] = p.accepting[dead] = 1;
      s.poolChanged?.("health");
      const after = slash16(s);
      // A client moves when it lands on another server, or stays on the dead one's, now a new worker.
      let moved = 0;
      for (let i = 0; i < after.length; i++) if (after[i] !== before[i] || before[i] === dead) moved++;
      const fraction = moved / after.length;
      expect(fraction, `worker ${dead}`).toBeCloseTo((n - dead) / n, 2);
      // The replacement is at the end of the array: the dead worker's slot now holds its successor.
      expect(after.filter((server) => server === dead).length / after.length).toBeCloseTo(1 / n, 2);
      sum += fraction;
    }
    expect(sum / n).toBeCloseTo((n + 1) / (2 * n), 2); // 62.5%
  });
});

describe("node-cluster: workers, cookies and the pool", () => {
  it("forks workers in index order; a server that comes back, or is added, is a new worker pushed at the end", () => {
    const p = pool(3, { capacity: 4 });
    const s = create(p, { mode: "address" });
    const pick = (a: string) => s.pick(request({ address: ipv4(a) }));
    /** workers[parseInt(md5(address) hex [0, 8), 16) % workers.length] for a workers array of these servers. */
    const place = (order: number[], a: string) => order[parseInt(createHash("md5").update(a).digest("hex").substring(0, 8), 16) % order.length];
    const old = seed.addresses.slice(0, 100), later = seed.addresses.slice(100, 200);
    const first = old.map(pick);
    expect(first).toEqual(old.map((a) => place([0, 1, 2], a)));
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    // s0's clients are placed again over [s1, s2]; nobody else moves.
    const without = old.map(pick);
    expect(without).toEqual(old.map((a, i) => (first[i] === 0 ? place([1, 2], a) : first[i])));
    p.eligible[0] = p.accepting[0] = 1;
    s.poolChanged?.("health");
    p.size = 4;
    p.eligible[3] = p.accepting[3] = 1;
    s.poolChanged?.("size");
    // Known clients stay with the workers the map names; new ones are placed over [s1, s2, s0, s3].
    expect(old.map(pick)).toEqual(without);
    expect(later.map(pick)).toEqual(later.map((a) => place([1, 2, 0, 3], a)));
  });

  it("a draining server leaves the array: its sessions are reassigned, as a worker that closed", () => {
    const p = pool(3);
    const s = create(p, { mode: "session" });
    const on = Array.from({ length: 60 }, (_, id) => s.pick(request({ nextSessionKey: id })));
    expect(on).toContain(2);
    p.accepting[2] = 0; // eligible, draining
    s.poolChanged?.("health");
    on.forEach((server, id) => {
      const now = s.pick(request({ sessionKey: id }));
      if (server === 2) expect(now).not.toBe(2);
      else expect(now).toBe(server);
    });
  });

  it("a user who keeps no cookies brings no session id: every request is a new session at a random worker", () => {
    const random = scripted([0.1, 0.4, 0.9]);
    const s = create(pool(4), { mode: "session" }, random);
    const picks = [0, 1, 2].map(() => s.pick(request({ sessionKey: 7, cookiesEnabled: 0 })));
    // floor(u · 2^32) mod 4 for u = 0.1, 0.4, 0.9.
    expect(picks).toEqual([0.1, 0.4, 0.9].map((u) => Math.floor(u * 2 ** 32) % 4));
    expect(random.calls()).toBe(3);
    // With cookies the id decides, and no draw is taken.
    const withCookie = s.pick(request({ sessionKey: 7 }));
    expect(s.pick(request({ sessionKey: 7 }))).toBe(withCookie);
    expect(random.calls()).toBe(3);
  });

  it("answers -1 when no worker is alive, in every mode", () => {
    for (const mode of ["session", "address", "ring", "sticky-session"]) {
      const p = pool(2, { down: [0, 1] });
      const s = create(p, { mode });
      expect(s.pick(request({ address: ipv4("10.0.0.1"), sessionKey: 3 })), mode).toBe(-1);
    }
  });

  it("sizes its largest table as the ring's points", () => {
    expect(nodeCluster.tableEntries!([1, 1, 1, 1], nodeCluster.options.parse({ mode: "ring" }))).toBe(600);
    expect(nodeCluster.tableEntries!([1, 1, 1, 1], nodeCluster.options.parse({ mode: "ring", replicas: 10 }))).toBe(40);
  });
});

describe("node-cluster from `lbsim route`", () => {
  const servers = ["127.0.1.1:8080", "127.0.1.2:8080", "127.0.1.3:8080", "127.0.1.4:8080"];
  const route = (keys: string[], options: Record<string, unknown>, down: number[] = []) => routeKeys("node-cluster", servers, undefined, down, keys, options).map((r) => r.index);

  it("places keys by parseInt(md5(key) hex [0, 8), 16) mod 4: abc → 0, user42 → 3, 10.0.0.1 → 3", () => {
    expect(route(["abc", "user42", "10.0.0.1"], { mode: "session" })).toEqual([0, 3, 3]);
    expect(route(["10.0.0.1"], { mode: "address" })).toEqual([3]);
  });

  it("keeps a session id on its worker across repeated lines, and skips a down server's slot in the array", () => {
    expect(route(["abc", "abc", "user42"], { mode: "session" })).toEqual([0, 0, 3]);
    // Server 0 down: the array is [s1, s2, s3]; 0x90015098 mod 3 = 2 → s3, 0xfd8689cb mod 3 = 1 → s2.
    expect(route(["abc", "user42"], { mode: "session" }, [0])).toEqual([3, 2]);
  });

  it("takes session ids in the session and ring modes only; addresses in every mode", () => {
    expect(route(["abc"], { mode: "ring" })).toHaveLength(1);
    expect(() => route(["abc"], { mode: "address" })).toThrow(/routes by client address only/);
    expect(() => route(["abc"], { mode: "sticky-session" })).toThrow(/routes by client address only/);
    expect(route(["127.0.0.1"], { mode: "sticky-session", seed: 0, dualStack: false })).toEqual([1]);
  });
});
