import { describe, expect, it } from "vitest";
import { Persistence, persistenceOptions } from "../../sim/model/stores/persistence.js";

const persistence = (options: unknown = {}) => new Persistence(persistenceOptions.parse(options));

/**
 * The RDB snapshots a write pattern leads to: `writes` writes every `seconds` seconds, evenly
 * spaced (at k · seconds / writes, exact for the values used), until `until`; the snapshot times
 * seen after each write.
 */
function snapshots(options: unknown, [writes, seconds]: [number, number], until: number): number[] {
  const p = persistence(options), seen: number[] = [];
  for (let k = 1; (k * seconds) / writes <= until; k++) {
    const now = (k * seconds) / writes;
    p.changed(now);
    const kept = p.keptUpTo(now);
    if (kept > 0 && kept !== seen[seen.length - 1]) seen.push(kept);
  }
  return seen;
}

describe("RDB save points", () => {
  it("default to Redis's [[3600, 1], [300, 100], [60, 10000]] in rdb mode, with everysec for AOF", () => {
    expect(persistenceOptions.parse({})).toEqual({ mode: "rdb", save: [[3600, 1], [300, 100], [60, 10000]], fsync: "everysec" });
    expect(persistenceOptions.parse(undefined)).toEqual(persistenceOptions.parse({}));
  });

  it("at 1 write a second, the 300 s / 100 changes point snapshots every 300 s (60 s / 10,000 never has enough changes)", () => {
    expect(snapshots({}, [1, 1], 1000)).toEqual([300, 600, 900]);
  });

  it("at 200 writes a second, the 60 s / 10,000 changes point snapshots every 60 s", () => {
    // 12,000 writes by 60 s.
    expect(snapshots({}, [200, 1], 250)).toEqual([60, 120, 180, 240]);
  });

  it("a point needs both its time and its changes: at 100 writes a second, 10,000 changes take 100 s", () => {
    // By 60 s only 6,000 changes: the 60 s point waits for its 10,000th change, at 100 s; the
    // 300 s / 100 point would not come before 300 s.
    expect(snapshots({}, [100, 1], 450)).toEqual([100, 200, 300, 400]);
  });

  it("at a write every 10 s, the 300 s point waits for its 100th change, at 1000 s", () => {
    // 30 changes by 300 s, under the 300 s point's 100; the 100th comes at 1000 s, before the hour.
    expect(snapshots({}, [1, 10], 3500)).toEqual([1000, 2000, 3000]);
  });

  it("at a write a minute, 100 changes take 6000 s: the hour's single change is due first, at 3600 s", () => {
    expect(snapshots({}, [1, 60], 7300)).toEqual([3600, 7200]);
  });

  it("take the scenario's own points", () => {
    expect(snapshots({ save: [[10, 5]] }, [1, 1], 35)).toEqual([10, 20, 30]);
    // Fewer changes than the only point needs: never a snapshot.
    expect(snapshots({ save: [[10, 50]] }, [1, 1], 45)).toEqual([]);
  });

  it("snapshot when a point comes due between writes, as Redis's serverCron checks them ten times a second", () => {
    // 150 writes in the first 150 s, then none: the 300 s / 100 point is due at 300 s and the
    // snapshot then holds all of them. A restart at 400 s keeps everything written.
    const p = persistence();
    for (let t = 1; t <= 150; t++) p.changed(t);
    expect(p.keptUpTo(299)).toBe(0); // not due yet: a restart then would lose all 150
    expect(p.keptUpTo(400)).toBe(300);
    // One change and a long silence: the hour's point snapshots it at 3600 s.
    const q = persistence();
    q.changed(10);
    expect(q.keptUpTo(3000)).toBe(0);
    expect(q.keptUpTo(4000)).toBe(3600);
    // No change at all: nothing to snapshot, ever.
    expect(persistence().keptUpTo(10_000)).toBe(0);
  });

  it("a point that came due between writes snapshots then; the next write counts towards the next snapshot", () => {
    // Point [10, 1]: the write at 1 s makes a snapshot due at 10 s. The write at 15 s comes 5 s
    // after that snapshot, too soon for another; it is snapshotted at 20 s.
    const p = persistence({ save: [[10, 1]] });
    p.changed(1);
    p.changed(15);
    expect(p.keptUpTo(15)).toBe(10); // the write at 15 s is not in it
    expect(p.keptUpTo(19)).toBe(10);
    expect(p.keptUpTo(21)).toBe(20);
    // Point [10, 2]: the write at 1 s alone is not enough; with the one at 25 s there are 2 changes and 25 s: due at once.
    const q = persistence({ save: [[10, 2]] });
    q.changed(1);
    expect(q.keptUpTo(24)).toBe(0);
    q.changed(25);
    expect(q.keptUpTo(25)).toBe(25);
  });

  it("after a restart the loaded data set counts as the last save", () => {
    const p = persistence({ save: [[10, 1]] });
    p.changed(1);
    p.restarted(5); // before the snapshot at 10 s was due
    expect(p.keptUpTo(8)).toBe(5);
    // No change since the restart: nothing new to snapshot.
    expect(p.keptUpTo(100)).toBe(5);
    p.changed(101);
    expect(p.keptUpTo(101)).toBe(101); // 96 s since the last save, one change
  });
});

describe("what a restart keeps", () => {
  it("AOF keeps every acknowledged write when only the process dies, whatever appendfsync", () => {
    for (const fsync of ["always", "everysec", "no"] as const) expect(persistence({ mode: "aof", fsync }).keptUpTo(1000)).toBe(1000);
  });

  it("AOF loses what was not yet fsynced when the machine goes down: nothing with always, about a second with everysec, about 30 s with no", () => {
    expect(persistence({ mode: "aof", fsync: "always" }).keptUpTo(1000, true)).toBe(1000);
    expect(persistence({ mode: "aof", fsync: "everysec" }).keptUpTo(1000, true)).toBe(999);
    expect(persistence({ mode: "aof" }).keptUpTo(1000, true)).toBe(999); // everysec is the default
    expect(persistence({ mode: "aof", fsync: "no" }).keptUpTo(1000, true)).toBe(970);
  });

  it("AOF ignores save points: writes never move what it keeps", () => {
    const p = persistence({ mode: "aof", fsync: "no", save: [[1, 1]] });
    for (let t = 1; t <= 100; t++) p.changed(t);
    expect(p.keptUpTo(100, true)).toBe(70);
  });

  it("without persistence a restart keeps nothing", () => {
    const p = persistence({ mode: "none" });
    for (let t = 1; t <= 5000; t++) p.changed(t);
    expect(p.keptUpTo(5000)).toBe(-Infinity);
  });

  it("RDB without a snapshot yet keeps only what was there at the start (nothing written since)", () => {
    const p = persistence();
    for (let t = 1; t <= 50; t++) p.changed(t);
    expect(p.keptUpTo(60)).toBe(0);
  });
});
