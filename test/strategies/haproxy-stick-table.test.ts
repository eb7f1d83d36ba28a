import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import { routeKeys } from "../../sim/route.js";
import { createStickTableStrategy, haproxyStickTable } from "../../sim/strategies/haproxy-stick-table.js";
import { StickTable } from "../../sim/strategies/stick-table.js";
import { ipv4, pool, request, scenario, type TestPool } from "../helpers.js";

type Twin = ReturnType<typeof createStickTableStrategy>;

const create = (p: TestPool, options: Record<string, unknown> = {}) => createStickTableStrategy(p, haproxyStickTable.options.parse(options));

/** How long a server takes to answer in these tests (a power of two, so sums of times are exact): the entry is written when the response comes back. */
const SERVICE = 2 ** -8;

/**
 * One transaction for `stick on src`: the request from `address` at `now` is routed, and the
 * response from the server it went to comes back SERVICE later. Returns that server.
 */
function transact(s: Twin, address: number, now: number): number {
  const server = s.pick(request({ now, address }));
  if (server >= 0) s.responded!(request({ now: now + SERVICE, address }), server, now);
  return server;
}

/** The table as [key, server] sorted by key. */
const entries = (s: Twin) => s.table.entries().sort((a, b) => a[0] - b[0]);

const A = ipv4("203.0.113.7"), B = ipv4("198.51.100.20"), C = ipv4("192.0.2.1");

describe("haproxy-stick-table options", () => {
  it("defaults to stick on src, size 200k (204800), no expiry, purging, no redispatch, no persist", () => {
    expect(haproxyStickTable.options.parse({})).toEqual({ on: "src", size: 204_800, nopurge: false, redispatch: false, persist: false });
    expect(haproxyStickTable.tableEntries!([1, 1], haproxyStickTable.options.parse({ size: 64 }))).toBe(64);
  });

  it.each([0, -1, 1.5, 2 ** 30 + 1])("refuses size %s: a positive integer up to HAProxy's 1g", (size) => {
    expect(haproxyStickTable.options.safeParse({ size }).success).toBe(false);
  });

  it("refuses an expiry below HAProxy's millisecond or past its 2^31 - 1 ms", () => {
    expect(haproxyStickTable.options.safeParse({ expire: 0 }).success).toBe(false);
    expect(haproxyStickTable.options.safeParse({ expire: 2_147_484 }).success).toBe(false);
    expect(haproxyStickTable.options.safeParse({ expire: 2_147_483 }).success).toBe(true);
  });
});

describe("haproxy-stick-table (stick on src)", () => {
  it("balances new clients round robin and keeps each address on its server once the response has stored it", () => {
    const s = create(pool(3));
    expect([A, B, C].map((a, k) => transact(s, a, k))).toEqual([0, 1, 2]);
    expect([C, A, B, A].map((a, k) => transact(s, a, 10 + k))).toEqual([2, 0, 1, 0]);
    expect(entries(s)).toEqual([[C | 0, 2], [B | 0, 1], [A | 0, 0]].sort((a, b) => a[0] - b[0]));
  });

  it("learns only from the response: two requests of one address in flight together are both balanced, and the last response wins", () => {
    const s = create(pool(3));
    const first = s.pick(request({ now: 0, address: A }));
    const second = s.pick(request({ now: 0.001, address: A }));
    expect([first, second]).toEqual([0, 1]);
    s.responded!(request({ now: 0.01, address: A }), first, 0);
    s.responded!(request({ now: 0.02, address: A }), second, 0.001);
    expect(transact(s, A, 1)).toBe(1);
  });

  it("keeps a client on its server while that server drains (eligible, not accepting); new clients skip it", () => {
    const p = pool(3);
    const s = create(p);
    expect([A, B].map((a, k) => transact(s, a, k))).toEqual([0, 1]);
    p.accepting[1] = 0; // DRAIN
    s.poolChanged?.("health");
    expect(transact(s, B, 5)).toBe(1);
    expect(transact(s, C, 6)).toBe(2);
    expect(transact(s, ipv4("10.0.0.1"), 7)).toBe(0); // s2 skipped
    expect(transact(s, B, 8)).toBe(1);
  });

  it("ignores an entry naming a server that is down, rebinds it to the server that answered, and does not go back when the server returns", () => {
    const p = pool(3);
    const s = create(p);
    expect([A, B, C].map((a, k) => transact(s, a, k))).toEqual([0, 1, 2]);
    p.eligible[1] = p.accepting[1] = 0; // DOWN or MAINT
    s.poolChanged?.("health");
    expect(transact(s, B, 10)).toBe(0); // the round robin's next turn
    expect(s.table.entries()).toContainEqual([B | 0, 0]);
    p.eligible[1] = p.accepting[1] = 1;
    s.poolChanged?.("health");
    expect([B, B, A, C].map((a, k) => transact(s, a, 20 + k))).toEqual([0, 0, 0, 2]);
  });

  it("with persist follows an entry even to a server that is down", () => {
    const p = pool(2);
    const s = create(p, { persist: true });
    expect(transact(s, A, 0)).toBe(0);
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    expect(s.pick(request({ now: 1, address: A }))).toBe(0);
    expect(transact(s, B, 2)).toBe(1); // a new client still goes to an accepting server
  });

  it("with redispatch sends the last retry to another server (stick rules not run again) and the response rebinds the entry", () => {
    const s = create(pool(3), { redispatch: true });
    expect(s.redispatch).toBe(true);
    expect([A, B, C].map((a, k) => transact(s, a, k))).toEqual([0, 1, 2]);
    // s3 refuses connections before health checks notice: the first pick names it, the retry avoids it.
    const r = request({ now: 10, address: C });
    expect(s.pick(r)).toBe(2);
    r.excluded = 2;
    const retry = s.pick(r);
    expect(retry).toBe(0);
    s.responded!(request({ now: 12, address: C }), retry, 10);
    expect(transact(s, C, 20)).toBe(0);
  });

  it("without redispatch, a refused request stores nothing: the entry keeps its server, and a new client is balanced again", () => {
    const s = create(pool(3));
    expect(s.redispatch).toBe(false);
    expect([A, B].map((a, k) => transact(s, a, k))).toEqual([0, 1]);
    // s1 refuses; no response for either request
    expect(s.pick(request({ now: 5, address: A }))).toBe(0);
    expect(s.pick(request({ now: 6, address: C }))).toBe(2);
    expect(entries(s).map(([, server]) => server).sort()).toEqual([0, 1]);
    expect(transact(s, C, 10)).toBe(0);
  });

  it("expires an entry expire seconds after its last touch (the response's store), not a moment earlier", () => {
    const stored = 100 + SERVICE;
    const live = create(pool(2), { expire: 60 });
    expect(transact(live, A, 100)).toBe(0);
    expect(live.pick(request({ now: stored + 60 - 1e-6, address: A }))).toBe(0);
    const gone = create(pool(2), { expire: 60 });
    expect(transact(gone, A, 100)).toBe(0);
    expect(gone.pick(request({ now: stored + 60, address: A }))).toBe(1);
    expect(gone.table.count).toBe(0);
  });

  it("refreshes the expiry on every hit", () => {
    const s = create(pool(2), { expire: 60 });
    expect(transact(s, A, 0)).toBe(0);
    for (let t = 50; t <= 500; t += 50) expect(transact(s, A, t)).toBe(0);
    expect(transact(s, B, 600)).toBe(1);
    expect(transact(s, A, 1000)).toBe(0); // 1000 - 500 > 60: balanced afresh, and the round robin's turn is s1 again
    expect(transact(s, ipv4("10.0.0.9"), 1001)).toBe(1);
  });

  it("reproduces HAProxy 2.6.12 on a full table of 4: purges, refused stores and the entries left (recorded live)", () => {
    // stick-table type ip size 4 / stick on src / balance roundrobin, 3 servers answering after
    // 5 ms, requests 30 ms apart, `show table` after each (test/conformance/stick-table.conformance.ts
    // repeats this live). A hit on a full table also reserves an entry (stksess_new) and so purges:
    // the hit entry itself is stale in the expiry queue and goes back in, and the next one is stale
    // too (touched by its response after being queued at its request), so the purge ends with
    // nothing removed; later purges find those two up to date and remove them.
    const recorded: [number, number, number[][]][] = [
      [1, 0, [[1, 0]]],
      [2, 1, [[1, 0], [2, 1]]],
      [3, 2, [[1, 0], [2, 1], [3, 2]]],
      [4, 0, [[1, 0], [2, 1], [3, 2], [4, 0]]],
      [1, 0, [[1, 0], [2, 1], [3, 2], [4, 0]]],
      [2, 1, [[1, 0], [2, 1], [3, 2], [4, 0]]],
      [5, 1, [[1, 0], [2, 1], [4, 0], [5, 1]]],
      [6, 2, [[1, 0], [2, 1], [5, 1], [6, 2]]],
      [1, 0, [[1, 0], [5, 1], [6, 2]]],
      [7, 0, [[1, 0], [5, 1], [6, 2], [7, 0]]],
      [8, 1, [[1, 0], [6, 2], [7, 0], [8, 1]]],
      [9, 2, [[1, 0], [7, 0], [8, 1], [9, 2]]],
    ];
    const s = create(pool(3), { size: 4 });
    recorded.forEach(([client, server, table], k) => {
      const address = ipv4(`10.0.0.${client}`);
      expect(transact(s, address, 0.03 * k), `request ${k + 1}`).toBe(server);
      expect(entries(s), `table after request ${k + 1}`).toEqual(table.map(([c, srv]) => [ipv4(`10.0.0.${c}`), srv]));
    });
  });

  it("with nopurge refuses new entries once full: a new client is balanced on every request", () => {
    const s = create(pool(3), { size: 2, nopurge: true });
    expect([A, B].map((a, k) => transact(s, a, k))).toEqual([0, 1]);
    expect([C, C, C, A].map((a, k) => transact(s, a, 10 + k))).toEqual([2, 0, 1, 0]);
    expect(s.table.count).toBe(2);
  });
});

describe("stick table purge (src/stick_table.c __stktable_trash_oldest)", () => {
  it("purges the oldest entries by last touch, size / 256 + 1 of them at once", () => {
    // Entries written and touched at one time (as `lbsim route` does) are never stale.
    const t = new StickTable(512, Infinity, false);
    for (let k = 0; k < 512; k++) expect(t.store(k, 0, k, k)).toBe(true);
    // Hits on 0 and 1: stale in the queue (it holds them under their first touch).
    t.touch(t.lookup(0, 600), 600);
    t.touch(t.lookup(1, 601), 601);
    expect(t.store(1000, 1, 700, 700)).toBe(true);
    // Batch of 3 (512 >> 8 = 2, + 1), at most 6 looked at: 0 and 1 stale (queued again), then 2, 3, 4 removed.
    expect(t.count).toBe(512 - 3 + 1);
    for (const gone of [2, 3, 4]) expect(t.lookup(gone, 700)).toBe(-1);
    for (const kept of [0, 1, 5, 1000]) expect(t.lookup(kept, 700)).toBeGreaterThanOrEqual(0);
  });

  it("refuses the store when the entries it may look at (twice the batch) are all stale", () => {
    const t = new StickTable(3, Infinity, false);
    for (let k = 0; k < 3; k++) t.store(k, 0, k, k);
    for (const k of [0, 1]) t.touch(t.lookup(k, 10 + k), 10 + k);
    expect(t.store(9, 1, 20, 20)).toBe(false); // 0 and 1 queued again; nothing removed
    expect(t.count).toBe(3);
    expect(t.store(9, 1, 21, 21)).toBe(true); // 2 is now the oldest, up to date
    expect(t.lookup(2, 21)).toBe(-1);
  });

  it("queues an entry again under its last touch, behind entries touched before it", () => {
    const t = new StickTable(3, Infinity, false);
    for (let k = 0; k < 3; k++) t.store(k, 0, k, k);
    t.touch(t.lookup(0, 5), 5);
    expect(t.store(10, 0, 6, 6)).toBe(true); // 0 stale: queued at 5; 1 removed
    expect(t.store(11, 0, 7, 7)).toBe(true); // 2 (touched at 2) before 0 (at 5)
    expect(t.lookup(2, 7)).toBe(-1);
    expect(t.lookup(0, 7)).toBeGreaterThanOrEqual(0);
  });
});

/**
 * The same table kept as HAProxy's source reads, without a heap: the expiry queue is a list
 * scanned for its smallest (queued touch, queueing order) at every step of a walk.
 */
class WalkedTable {
  readonly entries: { key: number; server: number; touched: number; queuedTouch: number; order: number }[] = [];
  #order = 0;
  constructor(readonly size: number, readonly expire: number) {}

  #head() {
    return this.entries.reduce((a, b) => (b.queuedTouch < a.queuedTouch || (b.queuedTouch === a.queuedTouch && b.order < a.order) ? b : a));
  }

  #requeue(e: WalkedTable["entries"][number]) {
    e.queuedTouch = e.touched;
    e.order = this.#order++;
  }

  expireDue(now: number) {
    while (this.entries.length > 0) {
      const head = this.#head();
      if (head.queuedTouch + this.expire > now) return;
      if (head.touched + this.expire > now) this.#requeue(head);
      else this.entries.splice(this.entries.indexOf(head), 1);
    }
  }

  touch(key: number, now: number) {
    this.expireDue(now);
    const e = this.entries.find((x) => x.key === key);
    if (e) e.touched = now;
  }

  store(key: number, server: number, now: number, createdAt: number): boolean {
    this.expireDue(now);
    if (this.entries.length === this.size) {
      const batch = Math.floor(this.size / 256) + 1;
      let trashed = 0;
      for (let search = 2 * batch; trashed < batch && this.entries.length > 0 && search > 0; search--) {
        const head = this.#head();
        if (head.touched !== head.queuedTouch) this.#requeue(head);
        else {
          this.entries.splice(this.entries.indexOf(head), 1);
          trashed++;
        }
      }
      if (trashed === 0) return false;
    }
    let e = this.entries.find((x) => x.key === key);
    if (!e) this.entries.push((e = { key, server, touched: now, queuedTouch: createdAt, order: this.#order++ }));
    e.server = server;
    e.touched = now;
    return true;
  }
}

describe("stick table against a plain walk of HAProxy's expiry queue", () => {
  // Small tables over 40 keys, and tables past 256 entries (purges of 2 and 3) over 800 keys; integer times, so many ties.
  const op = (keys: number) => fc.record({ kind: fc.constantFrom("store", "store", "touch"), key: fc.nat(keys), server: fc.nat(3), dt: fc.nat(3), lag: fc.nat(5) });
  const run = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 30 }), fc.array(op(40), { maxLength: 300 })),
    fc.tuple(fc.integer({ min: 256, max: 600 }), fc.array(op(800), { minLength: 600, maxLength: 1000 })),
  );
  it("stores, refuses and keeps the same entries over random sequences", () => {
    fc.assert(
      fc.property(run, fc.constantFrom(Infinity, 15, 300), ([size, ops], expire) => {
        const table = new StickTable(size, expire, false), walked = new WalkedTable(size, expire);
        let now = 0;
        ops.forEach((o, k) => {
          now += o.dt;
          if (o.kind === "touch") {
            walked.touch(o.key, now);
            const slot = table.lookup(o.key, now);
            if (slot >= 0) table.touch(slot, now);
          } else expect(table.store(o.key, o.server, now, now - o.lag)).toBe(walked.store(o.key, o.server, now, now - o.lag));
          table.lookup(-1, now); // the expiry task runs on both at every step
          walked.expireDue(now);
          if (size > 30 && k % 50 !== 49) return;
          expect(table.entries().sort((a, b) => a[0] - b[0])).toEqual(walked.entries.map((e) => [e.key, e.server]).sort((a, b) => a[0] - b[0]));
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe("haproxy-stick-table (learned session cookie)", () => {
  /** A request of a client with session `session` (-1: none yet, its new session will be `next`); the response sets `sets` (-1: none). */
  function cookieTransact(s: Twin, now: number, session: number, next: number, sets: number, cookiesEnabled = 1): number {
    const server = s.pick(request({ now, sessionKey: session, nextSessionKey: next, cookiesEnabled }));
    if (server >= 0) s.responded!(request({ now: now + SERVICE, sessionKey: sets }), server, now);
    return server;
  }

  it("balances a request without a session and learns the session its response starts (the id reserved in nextSessionKey)", () => {
    const s = create(pool(3), { on: "cookie" });
    expect(cookieTransact(s, 0, -1, 41, 41)).toBe(0);
    expect(cookieTransact(s, 1, -1, 42, 42)).toBe(1);
    expect(entries(s)).toEqual([[41, 0], [42, 1]]);
    expect([41, 42, 41].map((id, k) => cookieTransact(s, 2 + k, id, -1, -1))).toEqual([0, 1, 0]);
  });

  it("is not keyed by address: two sessions behind one NAT address go their own ways", () => {
    const s = create(pool(2), { on: "cookie" });
    const nat = ipv4("100.64.0.1");
    const pick = (session: number) => s.pick(request({ now: 5, address: nat, sessionKey: session }));
    cookieTransact(s, 0, -1, 7, 7);
    cookieTransact(s, 1, -1, 8, 8);
    expect([pick(7), pick(8)]).toEqual([0, 1]);
  });

  it("learns nothing from a response that sets no cookie: the session is balanced again next time", () => {
    const p = pool(3);
    const s = create(p, { on: "cookie" });
    expect(cookieTransact(s, 0, -1, 5, 5)).toBe(0);
    p.eligible[0] = p.accepting[0] = 0;
    s.poolChanged?.("health");
    expect(cookieTransact(s, 1, 5, -1, -1)).toBe(1); // the session was still readable there: no Set-Cookie
    expect(cookieTransact(s, 2, 5, -1, -1)).toBe(2);
    expect(cookieTransact(s, 3, 5, -1, 5)).toBe(1); // started over there: learned
    p.eligible[0] = p.accepting[0] = 1;
    s.poolChanged?.("health");
    expect(cookieTransact(s, 4, 5, -1, -1)).toBe(1);
  });

  it("refreshes the entry on a match though nothing is stored", () => {
    const s = create(pool(2), { on: "cookie", expire: 10 });
    expect(cookieTransact(s, 0, -1, 3, 3)).toBe(0);
    for (let t = 8; t <= 40; t += 8) expect(cookieTransact(s, t, 3, -1, -1)).toBe(0);
    expect(cookieTransact(s, 60, 3, -1, -1)).toBe(1);
  });

  it("does not match a client without cookies (its id is in the URL), though the response's cookie is stored", () => {
    const s = create(pool(3), { on: "cookie" });
    expect(cookieTransact(s, 0, -1, 9, 9, 0)).toBe(0);
    expect(cookieTransact(s, 1, 9, -1, -1, 0)).toBe(1);
    expect(entries(s)).toEqual([[9, 0]]);
  });
});

describe("haproxy-stick-table through lbsim route", () => {
  const servers = ["s1/1/127.0.1.1:8080", "s2/2/127.0.1.2:8080", "s3/3/127.0.1.3:8080"];

  it("sticks an address to the server its first request got", () => {
    const routes = routeKeys("haproxy-stick-table", servers, undefined, [], ["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3", "10.0.0.2", "10.0.0.4"]);
    expect(routes.map((r) => r.index)).toEqual([0, 1, 0, 2, 1, 0]);
  });

  it("takes session ids as keys when on is cookie, and only then", () => {
    const routes = routeKeys("haproxy-stick-table", servers, undefined, [], ["sess-a", "sess-b", "sess-a", "sess-c", "sess-b"], { on: "cookie" });
    expect(routes.map((r) => r.index)).toEqual([0, 1, 0, 2, 1]);
    expect(() => routeKeys("haproxy-stick-table", servers, undefined, [], ["sess-a"])).toThrow(/routes by client address only/);
  });
});

describe("haproxy-stick-table in a simulation", () => {
  it.each(["src", "cookie"])("on %s keeps every user on one server: no session is lost without events", (on) => {
    const s = scenario({
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 3, requestsPerVisit: 8, think: "3s" },
      servers: { count: 4 },
      strategies: [{ id: "haproxy-stick-table", on }, "round-robin"],
    });
    const [stick, roundRobin] = s.strategies.map((entry) => simulate(s, entry, 0).metrics);
    expect(stick.lostSessions).toBe(0);
    expect(stick.affinityHitRate).toBe(1);
    expect(roundRobin.lostSessions).toBeGreaterThan(100); // the same traffic without the table loses sessions
  });

  it("with sessions in a shared store, a failed server's sessions are never learned again in cookie mode: they move on every request until it returns", () => {
    // The application sets its cookie only when it starts a session, and a shared store never
    // makes it start over; `stick on src` stores on every response and so rebinds them at once.
    const s = scenario({
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 3, requestsPerVisit: 20, think: "3s" },
      servers: { count: 3 },
      store: { kind: "shared" },
      strategies: [{ id: "haproxy-stick-table", on: "cookie" }, { id: "haproxy-stick-table", on: "src" }],
      events: [{ at: "3m", crash: "s2" }, { at: "6m", recover: "s2" }],
    });
    const [cookie, src] = s.strategies.map((entry) => simulate(s, entry, 0).metrics);
    expect(cookie.lostSessions).toBe(0);
    expect(cookie.remapRate!).toBeGreaterThan(3 * src.remapRate!);
  });
});

