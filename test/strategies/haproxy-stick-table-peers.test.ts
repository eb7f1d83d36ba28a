import { describe, expect, it } from "vitest";
import { createStickTableStrategy, haproxyStickTable } from "../../sim/strategies/haproxy-stick-table.js";
import { StickTable } from "../../sim/strategies/stick-table.js";
import { ipv4, pool, request, scenarioProblems } from "../helpers.js";

type Replica = ReturnType<typeof createStickTableStrategy>;

/** `replicas` instances of one configured strategy, over one pool of `servers`, sharing what the definition says they share. */
function replicas(count: number, options: Record<string, unknown>, servers = 3): Replica[] {
  const parsed = haproxyStickTable.options.parse(options);
  const shared = haproxyStickTable.shared!(parsed, count);
  const p = pool(servers);
  return Array.from({ length: count }, (_, index) => createStickTableStrategy(p, parsed, { index, shared }));
}

/** How long a server takes to answer (a power of two, so sums of times are exact). */
const SERVICE = 2 ** -8;

/** A `stick on src` transaction on one replica: routed at `now`, its response stored SERVICE later. */
function transact(s: Replica, address: number, now: number): number {
  const server = s.pick(request({ now, address }));
  if (server >= 0) s.responded!(request({ now: now + SERVICE, address }), server, now);
  return server;
}

const A = ipv4("203.0.113.7"), B = ipv4("198.51.100.20"), C = ipv4("192.0.2.1"), D = ipv4("192.0.2.99");

describe("haproxy-stick-table peers option", () => {
  it("is off unless given; true means a delay of 1 ms", () => {
    expect(haproxyStickTable.options.parse({}).peers).toBeUndefined();
    expect(haproxyStickTable.shared!(haproxyStickTable.options.parse({}), 2)).toBeNull();
    expect(haproxyStickTable.shared!(haproxyStickTable.options.parse({ peers: false }), 2)).toBeNull();
    expect(haproxyStickTable.options.parse({ peers: {} }).peers).toEqual({ delay: 0.001 });
    expect(haproxyStickTable.shared!(haproxyStickTable.options.parse({ peers: true }), 3)!.tables).toHaveLength(3);
  });

  it("refuses a negative delay, or an unknown key, naming the option's path", () => {
    const base = { duration: "1h", servers: { count: 2 } };
    const problem = (peers: unknown) => scenarioProblems({ ...base, strategies: [{ id: "haproxy-stick-table", peers }] }, "peers.json");
    expect(problem({ delay: -0.5 })).toMatch(/strategies\[0\]\.peers\.delay: /);
    expect(problem({ delay: 7200 })).toMatch(/strategies\[0\]\.peers\.delay: /);
    expect(problem({ lag: 1 })).toMatch(/strategies\[0\]\.peers: unknown key "lag"/);
    expect(problem("yes")).toMatch(/strategies\[0\]\.peers: /);
  });
});

describe("haproxy-stick-table with peers", () => {
  it("a store on one replica reaches the other's table delay later, not before", () => {
    const delay = 0.25;
    const [r0, r1] = replicas(2, { peers: { delay } });
    expect([B, A].map((a, k) => transact(r0, a, k))).toEqual([0, 1]); // A stored on r0 at 1 + SERVICE, naming s2
    const arrives = 1 + SERVICE + delay;
    // Before it arrives r1 balances A (its own round robin starts at s1); from its arrival on, r1 follows it.
    expect(r1.pick(request({ now: arrives - 2 ** -20, address: A }))).toBe(0);
    expect(r1.pick(request({ now: arrives, address: A }))).toBe(1);
    expect(r1.table.entries()).toContainEqual([A | 0, 1]);
  });

  it("without peers each replica's table is its own", () => {
    const [r0, r1] = replicas(2, {});
    expect([B, A].map((a, k) => transact(r0, a, k))).toEqual([0, 1]);
    expect(transact(r1, A, 100)).toBe(0);
    expect(r1.table.entries()).toEqual([[A | 0, 0]]);
  });

  it("with delay 0 the next lookup at the same instant sees the store", () => {
    const [r0, r1] = replicas(2, { peers: { delay: 0 } });
    expect([B, A].map((a, k) => transact(r0, a, k))).toEqual([0, 1]);
    expect(r1.pick(request({ now: 1 + SERVICE, address: A }))).toBe(1);
  });

  it("a received value replaces the local one; two writes crossing in flight leave each writer with the other's, and the last to arrive wins elsewhere", () => {
    const delay = 0.1;
    const [r0, r1, r2] = replicas(3, { peers: { delay } });
    expect(transact(r0, B, 0)).toBe(0);
    // A reaches r0 and r1 within the delay: each balances it on its own.
    expect(transact(r0, A, 1)).toBe(1);
    expect(transact(r1, A, 1.01)).toBe(0);
    const later = 2;
    expect([r0, r1, r2].map((r) => r.pick(request({ now: later, address: A })))).toEqual([0, 1, 0]);
    // B was stored once: every replica agrees on it.
    expect([r0, r1, r2].map((r) => r.pick(request({ now: later, address: B })))).toEqual([0, 0, 0]);
  });

  it("a received update into a full table purges exactly as a local store at its arrival would", () => {
    const delay = 0.5;
    const [r0, r1] = replicas(2, { size: 2, peers: { delay } }, 4);
    // r1 fills its table with B and C; r0 stores D then A (r0's round robin: s1, s2).
    expect([B, C].map((a, k) => transact(r1, a, k))).toEqual([0, 1]);
    expect(transact(r0, D, 10)).toBe(0);
    expect(transact(r0, A, 11)).toBe(1);
    // The same on a lone table: B, C stored by r1's own transactions, then D and A stored as they arrive.
    const alone = new StickTable(2, Infinity, false);
    alone.store(B | 0, 0, SERVICE, 0);
    alone.store(C | 0, 1, 1 + SERVICE, 1);
    alone.store(D | 0, 0, 10 + SERVICE + delay, 10 + SERVICE + delay);
    alone.store(A | 0, 1, 11 + SERVICE + delay, 11 + SERVICE + delay);
    r1.pick(request({ now: 20, address: ipv4("10.9.9.9") })); // any lookup delivers what has arrived
    const sorted = (e: [number, number][]) => e.sort((a, b) => a[0] - b[0]);
    expect(sorted(r1.table.entries())).toEqual(sorted(alone.entries()));
    expect(sorted(r1.table.entries())).toEqual(sorted([[D | 0, 0], [A | 0, 1]]));
  });

  it("a full table with nopurge drops the update", () => {
    // A long delay, so r0 stores A into its own table before it hears of r1's B and C.
    const [r0, r1] = replicas(2, { size: 2, nopurge: true, peers: { delay: 5 } });
    expect([B, C].map((a, k) => transact(r1, a, k))).toEqual([0, 1]);
    expect(transact(r0, A, 1.5)).toBe(0);
    expect(r0.table.entries()).toEqual([[A | 0, 0]]);
    expect(transact(r1, A, 20)).toBe(2); // not learned: balanced (r1's round robin's next turn)
    expect(r1.table.entries().map(([key]) => key).sort()).toEqual([B | 0, C | 0].sort());
  });

  it("a received entry lives expire from its arrival (live updates carry no expiry; the receiver forces its own)", () => {
    const delay = 0.5, expire = 2;
    const stored = 1 + SERVICE;
    const probe = (now: number) => {
      const [r0, r1] = replicas(2, { expire, peers: { delay } });
      transact(r0, B, 0);
      expect(transact(r0, A, 1)).toBe(1);
      return r1.pick(request({ now, address: A }));
    };
    expect(probe(stored + delay + expire - 2 ** -20)).toBe(1);
    expect(probe(stored + delay + expire)).toBe(0);
  });

  it("a match is a local touch too: hits on one replica keep the entry alive on the others (cookie mode, where a match stores nothing)", () => {
    /** Sessions 6 and 7 start on r0 (s1, s2); r0 then matches 7 at `hits`; what r1 does with 7 at 2.5 s. */
    const r1At = (hits: number[]) => {
      const [r0, r1] = replicas(2, { on: "cookie", expire: 1, peers: true });
      for (const [k, session] of [6, 7].entries()) {
        expect(r0.pick(request({ now: k, sessionKey: -1, nextSessionKey: session }))).toBe(k);
        r0.responded!(request({ now: k + SERVICE, sessionKey: session }), k, k);
      }
      for (const t of hits) expect(r0.pick(request({ now: t, sessionKey: 7 }))).toBe(1);
      return r1.pick(request({ now: 2.5, sessionKey: 7 }));
    };
    // r1 heard of the store at about 1 s: by 2.5 s only r0's matches (the last at 1.8 s) keep its entry alive.
    expect(r1At([1.6, 1.8])).toBe(1);
    expect(r1At([])).toBe(0);
  });

  it("a new instance given the same shared tables keeps the entries (a reload); one without peers starts empty", () => {
    const options = haproxyStickTable.options.parse({ peers: true });
    const shared = haproxyStickTable.shared!(options, 1);
    const p = pool(3);
    const before = createStickTableStrategy(p, options, { index: 0, shared });
    expect([A, B, C].map((a, k) => transact(before, a, k))).toEqual([0, 1, 2]);
    const after = createStickTableStrategy(p, options, { index: 0, shared });
    expect([C, B, A, D].map((a, k) => transact(after, a, 10 + k))).toEqual([2, 1, 0, 0]);
    const plain = haproxyStickTable.options.parse({});
    const lone = haproxyStickTable.shared!(plain, 1);
    const old = createStickTableStrategy(p, plain, { index: 0, shared: lone });
    [A, B, C].forEach((a, k) => transact(old, a, k));
    expect(createStickTableStrategy(p, plain, { index: 0, shared: lone }).table.count).toBe(0);
  });
});
