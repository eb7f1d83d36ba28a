import { describe, expect, it } from "vitest";
import type { LostCause } from "../../sim/metrics/causes.js";
import type { StrategyResult } from "../../sim/metrics/result.js";
import type { StoreContext } from "../../sim/model/stores/define.js";
import { replicatedStore } from "../../sim/model/stores/replicated.js";
import type { SessionStore } from "../../sim/model/stores/session-store.js";
import { runScenario } from "../../sim/run.js";
import { store as storeSchema } from "../../sim/scenario/schema.js";
import { scenario } from "../helpers.js";

/** The default lag (10 ms): a server lost within it of a write takes the write with it. */
const LAG = 0.01;

/** A cluster of `size` servers, all running, as the server pool shows it to a store; the pool's halt() is `lose`. */
interface Cluster {
  context: StoreContext;
  running: Uint8Array;
  store: SessionStore;
}

function cluster(options: Record<string, unknown> = {}, size = 4, measure: [number, number] = [0, 3600]): Cluster {
  const running = new Uint8Array(size).fill(1);
  const context: StoreContext = {
    epoch: new Int32Array(size),
    memoryLostBy: Array.from({ length: size }, (): LostCause => "serverCrash"),
    memoryLostByEvent: new Int32Array(size).fill(-1),
    capacity: size,
    idleTimeout: 1800,
    cleanupEvery: 60,
    // As the server pool keeps it: the count follows the flags the tests set.
    members: {
      size,
      running,
      get runningCount() {
        return running.reduce((a, b) => a + b, 0);
      },
    },
    measureFrom: measure[0],
    measureUntil: measure[1],
    seed: 1,
    purpose: (name) => `rep0:${name}`,
  };
  const store = replicatedStore.create(storeSchema.parse({ kind: "replicated", ...options }) as never, context);
  return { context, running, store };
}

/** What the server pool does when a server's memory goes (ServerPool.halt): not running, a new epoch, why and by which event, then the hook. */
function lose(c: Cluster, server: number, now: number, event = -1, cause: LostCause = "serverCrash"): void {
  const { context, running, store } = c;
  running[server] = 0;
  context.epoch[server]++;
  (context.memoryLostBy as LostCause[])[server] = cause;
  context.memoryLostByEvent[server] = event;
  store.memoryLost!(server, now);
}

/** A request of an existing session served by `server` at `now`, as Sessions.read asks: why it could not be read (null: it could), and whether it was local. */
function read(c: Cluster, slot: number, server: number, now: number): { failure: LostCause | null; local: boolean } {
  const held = c.store.heldLocally(slot, server);
  const failure = c.store.readFailure(slot, server, now);
  return { failure, local: failure === null && held };
}

/**
 * The backup of `slot` (primary `primary`) in the cluster `build` makes: in a fresh copy per
 * candidate, the primary is lost well after the lag and the candidate reads the session; the
 * backup, which has taken over as primary, is the one that holds it locally.
 */
function backupOf(build: () => Cluster, slot: number, primary: number, at: number): number {
  const size = build().context.members.size;
  const found: number[] = [];
  for (let j = 0; j < size; j++) {
    if (j === primary) continue;
    const c = build();
    lose(c, primary, at);
    const r = read(c, slot, j, at + 1);
    expect(r.failure).toBeNull();
    if (r.local) found.push(j);
  }
  expect(found).toHaveLength(1);
  return found[0];
}

describe("replication to one backup (BackupManager): placement", () => {
  it("each server spreads its sessions evenly over the other three, with its own round robin", () => {
    // 1,200 sessions, created by the four servers in turn (slot k on server k % 4): 300 each. Losing
    // servers p and j together loses exactly the sessions whose primary and backup are p and j, and
    // the slot tells which of the two created it. Round robin over the three others puts 100 of a
    // server's 300 on each; a counter shared by all servers would not (each server would see every
    // fourth value of it, and its own sessions land unevenly).
    const SESSIONS = 1200;
    const build = () => {
      const c = cluster();
      for (let slot = 0; slot < SESSIONS; slot++) c.store.created(slot, slot % 4, 0);
      return c;
    };
    const backups = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const lostSlots: number[] = [];
    for (let p = 0; p < 4; p++)
      for (let j = p + 1; j < 4; j++) {
        const c = build();
        lose(c, p, 100, 7);
        lose(c, j, 100, 8);
        for (let slot = 0; slot < SESSIONS; slot++) {
          const { failure } = read(c, slot, [0, 1, 2, 3].find((s) => s !== p && s !== j)!, 200);
          if (failure === null) continue;
          expect(failure).toBe("serverCrash");
          lostSlots.push(slot);
          const creator = slot % 4;
          expect([p, j]).toContain(creator);
          backups[creator][creator === p ? j : p]++;
        }
      }
    // Every session has exactly one backup: lost in exactly one of the six pairs.
    expect(lostSlots).toHaveLength(SESSIONS);
    expect(new Set(lostSlots).size).toBe(SESSIONS);
    for (let p = 0; p < 4; p++) {
      expect(backups[p][p]).toBe(0);
      for (let j = 0; j < 4; j++) if (j !== p) expect(Math.abs(backups[p][j] - 100)).toBeLessThanOrEqual(1);
    }
  });

  it("picks only running servers: with s2 down, s0's sessions go half to s1, half to s3", () => {
    const c = cluster();
    lose(c, 2, 0);
    for (let slot = 0; slot < 300; slot++) c.store.created(slot, 0, 1);
    // Now s0 and s1 go: exactly the sessions backed up on s1 are lost (s3 alone remains).
    lose(c, 0, 100);
    lose(c, 1, 100);
    let lost = 0;
    for (let slot = 0; slot < 300; slot++) if (read(c, slot, 3, 200).failure !== null) lost++;
    expect(Math.abs(lost - 150)).toBeLessThanOrEqual(1);
  });
});

describe("replication to one backup (BackupManager): failures", () => {
  /** One session (slot 0) created on s0 at 0, read there at 10. */
  const build = () => {
    const c = cluster();
    c.store.created(0, 0, 0);
    expect(read(c, 0, 0, 10)).toEqual({ failure: null, local: true });
    return c;
  };

  it("a read on another server than the primary is not local, but finds the session", () => {
    const c = build();
    for (const [server, t] of [[1, 20], [2, 30], [3, 40], [0, 50]]) expect(read(c, 0, server, t)).toEqual({ failure: null, local: false });
    expect(read(c, 0, 0, 60)).toEqual({ failure: null, local: true });
  });

  it("primary lost: a read on another server succeeds, and the backup took over (it holds the session locally) and copied it to a new backup", () => {
    const backup = backupOf(build, 0, 0, 20);
    const c = build();
    lose(c, 0, 20, 3);
    // Any running server can read it: the backup holds it, the others fetch it.
    for (const server of [1, 2, 3]) {
      const probe = build();
      lose(probe, 0, 20, 3);
      expect(read(probe, 0, server, 21)).toEqual({ failure: null, local: server === backup });
    }
    // Taking over, the backup copied the session to a new backup: losing the backup too, well
    // after the lag, loses nothing.
    lose(c, backup, 30, 4);
    const survivor = [1, 2, 3].find((s) => s !== backup)!;
    expect(read(c, 0, survivor, 40).failure).toBeNull();
    expect(c.store.figures!().staleReads).toBe(0);
  });

  it("backup lost: the primary copies the session to a new backup, so losing the primary later loses nothing", () => {
    const backup = backupOf(build, 0, 0, 20);
    const c = build();
    lose(c, backup, 20, 3);
    lose(c, 0, 30, 4);
    const survivor = [1, 2, 3].find((s) => s !== backup)!;
    expect(read(c, 0, survivor, 40).failure).toBeNull();
  });

  it("primary and backup lost together: the session is lost (serverCrash), charged to the event that lost the last copy", () => {
    const backup = backupOf(build, 0, 0, 20);
    const survivor = [1, 2, 3].find((s) => s !== backup)!;
    // Primary first (event 5), then its backup (event 6), at the same moment: the backup took over
    // but had no time to copy the session (the new copy arrives after the lag). The last copy was
    // the backup's.
    const c = build();
    lose(c, 0, 20, 5);
    lose(c, backup, 20, 6);
    expect(read(c, 0, survivor, 30).failure).toBe("serverCrash");
    expect(c.store.lostBy(0)).toBe(6);
    // The other order: the backup first (event 6, a planned stop), then the primary (event 5).
    const d = build();
    lose(d, backup, 20, 6, "serverStopped");
    lose(d, 0, 20, 5);
    expect(read(d, 0, survivor, 30).failure).toBe("serverCrash");
    expect(d.store.lostBy(0)).toBe(5);
    // The cause is that of the server that held the last copy.
    const e = build();
    lose(e, 0, 20, 5);
    lose(e, backup, 20, 6, "serverStopped");
    expect(read(e, 0, survivor, 30).failure).toBe("serverStopped");
    expect(e.store.lostBy(0)).toBe(6);
    // Created again, the session is whole.
    e.store.created(0, survivor, 31);
    expect(read(e, 0, survivor, 40)).toEqual({ failure: null, local: true });
  });

  it("primary and backup lost more than the lag apart: the session survives on the copy made in between", () => {
    const backup = backupOf(build, 0, 0, 20);
    const survivor = [1, 2, 3].find((s) => s !== backup)!;
    const c = build();
    lose(c, 0, 20, 5);
    lose(c, backup, 20 + 2 * LAG, 6);
    expect(read(c, 0, survivor, 30).failure).toBeNull();
  });

  it("a session idle past the timeout is not replicated again when a server goes", () => {
    // Expired sessions are never read again; the crash scan leaves them (it must not send them to a new backup).
    const c = cluster({}, 4, [0, 10_000]);
    c.store.created(0, 0, 0);
    const before = c.store.figures!().replicationBytesPerSecond!;
    lose(c, 0, 1801, 1);
    expect(c.store.figures!().replicationBytesPerSecond).toBe(before);
  });
});

describe("replication to every server (DeltaManager)", () => {
  it("only losing every server at once loses sessions", () => {
    const build = () => {
      const c = cluster({ replication: "all" });
      for (let slot = 0; slot < 40; slot++) c.store.created(slot, slot % 4, 0);
      return c;
    };
    // Any three of the four lost: every session is read, locally, on the fourth.
    for (let keep = 0; keep < 4; keep++) {
      const c = build();
      for (let s = 0; s < 4; s++) if (s !== keep) lose(c, s, 100, s);
      for (let slot = 0; slot < 40; slot++) expect(read(c, slot, keep, 200)).toEqual({ failure: null, local: true });
    }
    // One at a time, each back before the next goes (its restart receives the state): nothing lost.
    const rolling = build();
    for (let s = 0; s < 4; s++) {
      lose(rolling, s, 100 + 10 * s, s);
      rolling.running[s] = 1;
    }
    for (let slot = 0; slot < 40; slot++) expect(read(rolling, slot, slot % 4, 200).failure).toBeNull();
    // All four: every session is lost, to the last server's event.
    const c = build();
    for (let s = 0; s < 4; s++) lose(c, s, 100, 10 + s);
    c.running.fill(1);
    for (let slot = 0; slot < 40; slot++) {
      expect(read(c, slot, 0, 200).failure).toBe("serverCrash");
      expect(c.store.lostBy(slot)).toBe(13);
    }
  });
});

describe("replication lag", () => {
  for (const replication of ["backup", "all"]) {
    it(`${replication}: the primary lost within the lag of a write leaves the copies without it: the next read is stale, once`, () => {
      const c = cluster({ replication });
      c.store.created(0, 0, 0);
      read(c, 0, 0, 10);
      lose(c, 0, 10 + LAG / 2);
      expect(read(c, 0, 1, 20).failure).toBeNull();
      expect(c.store.figures!().staleReads).toBe(1);
      expect(read(c, 0, 1, 30).failure).toBeNull();
      expect(c.store.figures!().staleReads).toBe(1);
      // Lost after the lag, the copies had the write.
      const d = cluster({ replication });
      d.store.created(0, 0, 0);
      read(d, 0, 0, 10);
      lose(d, 0, 10 + 2 * LAG);
      expect(read(d, 0, 1, 20).failure).toBeNull();
      expect(d.store.figures!().staleReads).toBe(0);
    });

    it(`${replication}: the primary lost within the lag of the session's creation leaves no copy: the session is lost`, () => {
      const c = cluster({ replication });
      c.store.created(0, 0, 10);
      lose(c, 0, 10 + LAG / 2, 9);
      expect(read(c, 0, 1, 20).failure).toBe("serverCrash");
      expect(c.store.lostBy(0)).toBe(9);
      expect(c.store.figures!().staleReads).toBe(0);
      const d = cluster({ replication });
      d.store.created(0, 0, 10);
      lose(d, 0, 10 + 2 * LAG, 9);
      expect(read(d, 0, 1, 20).failure).toBeNull();
    });
  }

  it("a longer lag widens the window: 1 s", () => {
    const c = cluster({ lag: "1s" });
    c.store.created(0, 0, 0);
    read(c, 0, 0, 10);
    lose(c, 0, 10.5);
    expect(read(c, 0, 1, 20).failure).toBeNull();
    expect(c.store.figures!().staleReads).toBe(1);
  });

  it("a stale read before measuring is not counted", () => {
    const c = cluster({}, 4, [100, 200]);
    c.store.created(0, 0, 0);
    read(c, 0, 0, 10);
    lose(c, 0, 10 + LAG / 2);
    expect(read(c, 0, 1, 20).failure).toBeNull();
    expect(c.store.figures!().staleReads).toBe(0);
  });
});

describe("replication traffic", () => {
  // Measured from 10 s to 110 s: 100 s. replicationBytesPerSecond is the bytes all servers sent
  // while measuring / servers / 100; the peak is the busiest server's / 100.
  const MEASURE: [number, number] = [10, 110];
  const SECONDS = 100;

  it("backup, default sizes: each request sends its change, the whole 2,048-byte session, to the one backup", () => {
    const c = cluster({}, 4, MEASURE);
    c.store.created(0, 0, 5); // before measuring: not counted
    read(c, 0, 0, 8); // nor this
    read(c, 0, 0, 20); // 2,048 from s0
    read(c, 0, 0, 30); // 2,048 from s0
    c.store.created(1, 1, 40); // 2,048 from s1
    const f = c.store.figures!();
    expect(f.replicationBytesPerSecond).toBeCloseTo((3 * 2048) / 4 / SECONDS, 9);
    expect(f.peakReplicationBytesPerSecond).toBeCloseTo((2 * 2048) / SECONDS, 9);
  });

  it("backup: changeBytes per request, the whole session to a new backup and for a fetch, sent by the server that has it", () => {
    // Session 2,000 bytes, changes 100. Slot 0 created on s0 at 5 (before measuring).
    const build = () => {
      const c = cluster({ sessionBytes: 2000, changeBytes: 100 }, 4, MEASURE);
      c.store.created(0, 0, 5);
      return c;
    };
    const b = backupOf(build, 0, 0, 6);
    const other = [1, 2, 3].find((s) => s !== b)!;
    const c = build();
    read(c, 0, 0, 8); // before measuring
    read(c, 0, 0, 20); // s0 primary: its change, 100 from s0
    read(c, 0, other, 30); // a fetch: the whole session from the backup b (2,000), the change from `other` (100); b stays the backup
    read(c, 0, b, 40); // the backup promoted: it copies the whole session to a new backup (2,000) and its change (100)
    lose(c, b, 50); // the primary lost: its backup takes over and copies the whole session to a new one (2,000)
    // s0: 100; other: 100; b: 2,000 + 2,100 = 4,100; the heir: 2,000 (at most 2,100 if it is `other`).
    const f = c.store.figures!();
    expect(f.replicationBytesPerSecond).toBeCloseTo((100 + 2100 + 2100 + 2000) / 4 / SECONDS, 9);
    expect(f.peakReplicationBytesPerSecond).toBeCloseTo(4100 / SECONDS, 9);
  });

  it("backup: with no other server running there is no backup and nothing is sent", () => {
    const c = cluster({}, 2, MEASURE);
    lose(c, 1, 0);
    c.store.created(0, 0, 20);
    read(c, 0, 0, 30);
    expect(c.store.figures!().replicationBytesPerSecond).toBe(0);
  });

  it("all: each request sends its change to every other running server", () => {
    const c = cluster({ replication: "all", changeBytes: 100 }, 4, MEASURE);
    c.store.created(0, 0, 5); // before measuring
    read(c, 0, 0, 20); // 3 × 100 from s0
    read(c, 0, 1, 30); // 3 × 100 from s1 (every server has it: no fetch)
    lose(c, 3, 40); // nothing to copy
    read(c, 0, 0, 50); // 2 × 100 from s0
    const f = c.store.figures!();
    expect(f.replicationBytesPerSecond).toBeCloseTo((300 + 300 + 200) / 4 / SECONDS, 9);
    expect(f.peakReplicationBytesPerSecond).toBeCloseTo(500 / SECONDS, 9);
    expect(f.staleReads).toBe(0);
  });
});

describe("replicated memory in a run", () => {
  /**
   * Four servers, sticky cookies, 4 visits a second of 10 requests (geometric) 10 s apart: about
   * 400 sessions in use. s3 and s4 crash together at 10m and come back, empty, at 12m.
   */
  function run(): Record<string, StrategyResult> {
    const s = scenario({
      seed: 11,
      duration: "15m",
      warmup: "3m",
      replications: 1,
      clients: { visitsPerSecond: 4, requestsPerVisit: { dist: "geometric", mean: 10 }, think: { dist: "exponential", mean: "10s" } },
      servers: { count: 4, workers: 8 },
      store: { kind: "local", idleTimeout: "30m" },
      strategies: [
        { id: "cookie-insert", label: "local" },
        { id: "cookie-insert", label: "backup", store: { kind: "replicated", replication: "backup" } },
        { id: "cookie-insert", label: "all", store: { kind: "replicated", replication: "all" } },
      ],
      events: [
        { at: "10m", crash: "s3" },
        { at: "10m", crash: "s4" },
        { at: "12m", recover: "s3" },
        { at: "12m", recover: "s4" },
      ],
    });
    return Object.fromEntries(runScenario(s).results.map((r) => [r.strategy, r])) as Record<string, StrategyResult>;
  }

  it("a backup loses about a third of what local memory loses, all-to-all nothing, for about 2.7 times the traffic", () => {
    const { local, backup, all } = run();
    // Local memory loses the sessions on s3 and s4 that come back: about half of those in use. A
    // backup loses those whose primary and backup were both crashed: of s3's sessions, the third
    // backed up on s4 (and the same of s4's), a third of local's losses.
    expect(local.metrics.lostByCause.serverCrash).toBeGreaterThan(100);
    const share = backup.metrics.lostByCause.serverCrash / local.metrics.lostByCause.serverCrash;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.45);
    expect(backup.metrics.lostSessions).toBe(backup.metrics.lostByCause.serverCrash);
    // Charged to the crashes, all to the second (s4): a session on s3 backed up on s4 passed to s4,
    // and one on s4 backed up on s3 had its new copy on the way, when s4 went.
    expect(backup.events[0].lostSessions).toBe(0);
    expect(backup.events[1].lostSessions).toBe(backup.metrics.lostSessions);
    expect(all.metrics.lostByCause.serverCrash).toBe(0);
    expect(all.metrics.lostSessions).toBe(0);
    // All-to-all sends each change to the 3 other servers, a backup to 1, except for the 2 of the
    // 12 measured minutes when only 2 servers run (1 copy each): (10 × 3 + 2 × 1) / 12 ≈ 2.7,
    // a little less for the whole-session copies a backup also makes.
    const ratio = all.metrics.replicationBytesPerSecond! / backup.metrics.replicationBytesPerSecond!;
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(3);
    expect(local.metrics.replicationBytesPerSecond).toBeNull();
  });
});
