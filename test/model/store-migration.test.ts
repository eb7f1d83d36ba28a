import { describe, expect, it } from "vitest";
import type { LostCause } from "../../sim/metrics/causes.js";
import { MigratingStore } from "../../sim/model/store-migration.js";
import { findStore, type StoreContext } from "../../sim/model/stores/index.js";
import { store as storeSchema, type StoreSpec } from "../../sim/scenario/schema.js";

/**
 * MigratingStore over the real local and shared stores, driven as the model drives a store: each
 * request first `access`es it (the store is not instant), then either `created` (a new session)
 * or `readFailure` (an existing one), and on a failure `lostBy` and `created` again (the session
 * starts over). Two servers; a crash is the pool's epoch of that server going up, with its cause
 * and the event that caused it recorded as the pool records them.
 */
const SERVERS = 2;

function context(): StoreContext & { epoch: Int32Array; memoryLostBy: LostCause[]; memoryLostByEvent: Int32Array } {
  return {
    epoch: new Int32Array(SERVERS),
    memoryLostBy: Array.from({ length: SERVERS }, () => "serverCrash" as LostCause),
    memoryLostByEvent: new Int32Array(SERVERS).fill(-1),
    capacity: SERVERS,
    idleTimeout: 1800,
    cleanupEvery: Infinity,
    members: { size: SERVERS, running: new Uint8Array(SERVERS).fill(1), runningCount: SERVERS },
    measureFrom: 0,
    measureUntil: 1e9,
    seed: 1,
    purpose: (name: string) => `rep0:${name}`,
  };
}

const spec = (raw: Record<string, unknown>) => storeSchema.parse(raw) as StoreSpec;
/** The shared store of the tests: a constant 1 ms round trip, no capacity, so its write goes with the read (not queued). */
const SHARED = { kind: "shared", latency: "1ms" };

function migrating(initial: Record<string, unknown> = { kind: "local" }) {
  const ctx = context();
  const create = (s: StoreSpec) => findStore(s.kind)!.create(s, ctx);
  const store = new MigratingStore(create(spec(initial)), create, SERVERS);
  /** Request number of each slot so far (the keyed draws' n). */
  const sent = new Map<number, number>();
  /**
   * One request of `slot` served by `server` at `now`; `fresh` for the session's first. Returns
   * what the read found (null: the session was read), the seconds the store took, and for a loss the event it is charged to.
   */
  function request(slot: number, server: number, now: number, fresh = false): { failure: LostCause | null; seconds: number; lostBy: number | null } {
    const n = sent.get(slot) ?? 0;
    sent.set(slot, n + 1);
    const seconds = store.access(slot, now, slot, n, server);
    if (fresh) {
      store.created(slot, server, now);
      return { failure: null, seconds, lostBy: null };
    }
    const failure = store.readFailure(slot, server, now);
    const lostBy = failure === null ? null : store.lostBy(slot);
    if (failure !== null) store.created(slot, server, now);
    return { failure, seconds, lostBy };
  }
  /** `server` crashes as scenario event `event`: its memory is lost. */
  function crash(server: number, event: number): void {
    ctx.epoch[server]++;
    ctx.memoryLostBy[server] = "serverCrash";
    ctx.memoryLostByEvent[server] = event;
    store.memoryLost?.(server, 0);
  }
  return { store, request, crash };
}

describe("MigratingStore before any change", () => {
  it("behaves as the local store it starts with: read where it was created, lost to a crash (charged to it) or to a move", () => {
    const { store, request, crash } = migrating();
    request(0, 0, 0, true);
    request(1, 1, 0, true);
    // Local memory takes no time and does not fail.
    expect(request(0, 0, 10)).toEqual({ failure: null, seconds: 0, lostBy: null });
    expect(store.failed).toBe(false);
    expect(store.heldLocally(0, 0)).toBe(true);
    expect(store.heldLocally(0, 1)).toBe(false);
    // Read on the other server: the local store's "remapped" (charged by the model to the routing, lostBy is the server's event, none here).
    expect(request(0, 1, 20).failure).toBe("remapped");
    // A crash of server 1 (event 4) loses what it held: both sessions are on it now.
    crash(1, 4);
    expect(request(1, 1, 30)).toMatchObject({ failure: "serverCrash", lostBy: 4 });
    expect(request(0, 1, 30)).toMatchObject({ failure: "serverCrash", lostBy: 4 });
    // The local store counts no operations: the migrating store reports 0 (not null: it always counts).
    expect(store.operations()).toBe(0);
    // It holds sessions in the servers' memory: both sessions were created again on server 1, and
    // slot 0's first copy stays on server 0 until it expires and is cleaned up (never, here).
    expect(Array.from(store.held(40))).toEqual([1, 2]);
    expect(store.queued).toBe(false);
  });

  it("behaves as the shared store it starts with: 2 ms a request (read and write), any server reads any session", () => {
    const { store, request } = migrating(SHARED);
    expect(request(0, 0, 0, true).seconds).toBeCloseTo(0.002, 12);
    expect(request(0, 1, 10)).toEqual({ failure: null, seconds: expect.closeTo(0.002, 12), lostBy: null });
    expect(store.heldLocally(0, 1)).toBe(false);
    // Two requests, a read and a write each.
    expect(store.operations()).toBe(4);
  });
});

describe("MigratingStore during a dual write to a shared store", () => {
  it("a session whose local copy is gone (its server crashed) is read from the shared store and held locally again", () => {
    const { store, request, crash } = migrating();
    request(0, 0, 0, true);
    store.change(2, spec(SHARED), true);
    // Its request during the dual write, on its home server: read locally, written to both.
    expect(request(0, 0, 10).failure).toBeNull();
    crash(0, 3);
    // Served by server 1 now: the local copy is gone (epoch bump), the shared one answers.
    const after = request(0, 1, 20);
    expect(after.failure).toBeNull();
    // The shared store was read and written: 2 × 1 ms.
    expect(after.seconds).toBeCloseTo(0.002, 12);
    // The application kept it in server 1's memory again: its next request there finds it held
    // locally (an affinity hit), so the shared store is only written: one round trip.
    const next = request(0, 1, 30);
    expect(next.failure).toBeNull();
    expect(store.heldLocally(0, 1)).toBe(true);
    expect(next.seconds).toBeCloseTo(0.001, 12);
  });

  it("a session that moved to another server is read from the shared store too (not lost as remapped)", () => {
    const { store, request } = migrating();
    request(0, 0, 0, true);
    store.change(2, spec(SHARED), true);
    request(0, 0, 10);
    expect(request(0, 1, 20).failure).toBeNull();
    request(0, 1, 30);
    expect(store.heldLocally(0, 1)).toBe(true);
  });

  it("a session created during the dual write is in both stores", () => {
    const { store, request, crash } = migrating();
    store.change(2, spec(SHARED), true);
    request(0, 0, 10, true);
    crash(0, 3);
    expect(request(0, 1, 20).failure).toBeNull();
    // A second store: it can be unreachable; the local one cannot fail, the shared one reports its state.
    expect(store.failed).toBe(false);
  });

  it("an outage reaches the store behind: every request writes it, so each waits for it (node-redis, no timeout)", () => {
    // node-redis with no timeout holds the command until the store is back: the request is delayed, not failed.
    const { store, request } = migrating();
    request(0, 0, 0, true);
    store.change(2, spec(SHARED), true);
    store.outage(60, 100, 5);
    // The write to the shared store waits until 160 s: 60 s, plus the write's 1 ms.
    expect(request(0, 0, 100).seconds).toBeCloseTo(60.001, 9);
    expect(store.failed).toBe(false);
  });
});

describe("MigratingStore switching to the dual-written store", () => {
  it("loses a session never written during the dual write, with storeSwitched, charged to the switch; keeps one written during it", () => {
    const { store, request } = migrating();
    request(0, 0, 0, true); // never requested during the dual write
    request(1, 0, 0, true); // requested once during it
    store.change(2, spec(SHARED), true);
    request(1, 0, 10);
    store.change(6, "shared", false);
    // Slot 0 was only ever in local memory: lost, charged to event 6 (the switch).
    expect(request(0, 0, 30)).toMatchObject({ failure: "storeSwitched", lostBy: 6 });
    // Slot 1 was written to the shared store at 10 s: read from it.
    expect(request(1, 0, 30).failure).toBeNull();
    // The lost session started over in the shared store: read from it at its next request.
    expect(request(0, 1, 40).failure).toBeNull();
    // Now only the shared store: nothing is held locally, any server reads any session.
    expect(store.heldLocally(1, 0)).toBe(false);
    expect(request(1, 1, 50).failure).toBeNull();
  });

  it("keeps a session created during the dual write, and one created after the switch", () => {
    const { store, request } = migrating();
    store.change(2, spec(SHARED), true);
    request(0, 0, 10, true);
    store.change(6, "shared", false);
    request(1, 1, 20, true);
    expect(request(0, 1, 30).failure).toBeNull();
    expect(request(1, 0, 30).failure).toBeNull();
  });

  it("a session lost to the switch is charged to the switch even after a crash charged another loss to the crash", () => {
    const { store, request, crash } = migrating();
    request(0, 0, 0, true);
    request(1, 1, 0, true);
    crash(1, 1);
    expect(request(1, 1, 5)).toMatchObject({ failure: "serverCrash", lostBy: 1 });
    store.change(2, spec(SHARED), true);
    store.change(6, "shared", false);
    // The crash was the last failed read, but this loss is the switch's.
    expect(request(0, 0, 30)).toMatchObject({ failure: "storeSwitched", lostBy: 6 });
  });
});

describe("MigratingStore switching to a fresh store", () => {
  it("loses every session at its next use, with storeSwitched, charged to the switch, whatever was dual-written", () => {
    const { store, request } = migrating();
    request(0, 0, 0, true);
    store.change(2, spec(SHARED), true);
    request(1, 0, 10, true); // written to both
    request(0, 0, 10); // written to both
    // A store object without dualWrite: a new shared store nobody wrote.
    store.change(7, spec(SHARED), false);
    expect(request(0, 0, 30)).toMatchObject({ failure: "storeSwitched", lostBy: 7 });
    expect(request(1, 0, 30)).toMatchObject({ failure: "storeSwitched", lostBy: 7 });
    // Each started over in the new store.
    expect(request(0, 1, 40).failure).toBeNull();
    expect(request(1, 1, 40).failure).toBeNull();
  });

  it("from a local store straight to a fresh shared one loses every session", () => {
    const { store, request } = migrating();
    for (let slot = 0; slot < 5; slot++) request(slot, slot % SERVERS, 0, true);
    store.change(3, spec(SHARED), false);
    const failures = Array.from({ length: 5 }, (_, slot) => request(slot, slot % SERVERS, 10).failure);
    expect(failures).toEqual(Array(5).fill("storeSwitched"));
  });
});

describe("MigratingStore's operations", () => {
  it("count the shared store's reads and writes: one write a request while the local store holds the session, a read too where it does not, two after the switch", () => {
    const { store, request } = migrating();
    request(0, 0, 0, true);
    request(0, 0, 5);
    // Local only: nothing counted.
    expect(store.operations()).toBe(0);
    store.change(2, spec(SHARED), true);
    // 10 requests on its home server: the local store holds it, so the shared store is only written.
    for (let i = 0; i < 10; i++) request(0, 0, 10 + i);
    expect(store.operations()).toBe(10);
    // A request on the other server: the local store does not hold it there, the shared one is read and written.
    request(0, 1, 30);
    expect(store.operations()).toBe(12);
    // A new session during the dual write: access is asked before the model knows it is new, and
    // server 1 holds nothing of slot 1, so the shared store is read as well as written.
    request(1, 1, 31, true);
    expect(store.operations()).toBe(14);
    store.change(6, "shared", false);
    // After the switch every request reads and writes the shared store: 5 requests, 10 operations.
    for (let i = 0; i < 5; i++) request(0, i % SERVERS, 40 + i);
    expect(store.operations()).toBe(24);
  });

  it("keep what a store left behind did: a switch to a fresh store does not lose the count", () => {
    const { store, request } = migrating(SHARED);
    request(0, 0, 0, true);
    request(0, 0, 1);
    expect(store.operations()).toBe(4);
    store.change(3, spec(SHARED), false);
    request(0, 0, 2); // lost, started over: a read and a write at the new store
    expect(store.operations()).toBe(6);
  });
});
