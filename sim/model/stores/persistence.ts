import { z } from "zod";
import { count, duration } from "../../scenario/fields.js";

/**
 * What a Redis restart keeps (redis.conf; src/server.c `serverCron` save points, src/aof.c):
 * RDB snapshots taken when a save point's time and change count are both reached (Redis 6.0+
 * built-in points: 3600 s and 1 change, 300 s and 100, 60 s and 10,000); AOF with `appendfsync`
 * `always` (nothing acknowledged is lost), `everysec` (about the last second), `no` (the kernel
 * flushes, about every 30 s on Linux); or nothing.
 */
export const persistenceObject = z.strictObject({
    mode: z.enum(["rdb", "aof", "none"]).default("rdb").describe("rdb (snapshots at save points, Redis's default), aof (append-only file) or none."),
    save: z
      .array(z.tuple([duration, count(1e12)]))
      .min(1)
      .max(100)
      .default([
        [3600, 1],
        [300, 100],
        [60, 10000],
      ])
      .describe("RDB save points: [seconds, changes] pairs; a snapshot is taken once both have passed since the last."),
    fsync: z.enum(["always", "everysec", "no"]).default("everysec").describe("AOF appendfsync."),
  });
export const persistenceOptions = persistenceObject.prefault({});
export type PersistenceOptions = z.output<typeof persistenceOptions>;

/** Seconds of writes AOF loses when the machine goes down, per `appendfsync`. */
const AOF_LOSS = { always: 0, everysec: 1, no: 30 } as const;

export class Persistence {
  readonly #options: PersistenceOptions;
  #lastSave = 0;
  #changes = 0;

  constructor(options: PersistenceOptions) {
    this.#options = options;
  }

  /** A write reached the store at `now`; a save point reached takes a snapshot then. */
  changed(now: number): void {
    if (this.#options.mode !== "rdb") return;
    this.#catchUp(now);
    this.#changes++;
    for (const [seconds, changes] of this.#options.save)
      if (now - this.#lastSave >= seconds && this.#changes >= changes) {
        this.#lastSave = now;
        this.#changes = 0;
        return;
      }
  }

  /**
   * The store restarts at `now`: data written after the returned time is gone (-Infinity:
   * everything). Redis writes the AOF buffer to the file before it replies (src/server.c
   * `beforeSleep` calls `flushAppendOnlyFile` before the replies go out), so when only its process
   * dies (`host` false: a crash, an OOM kill) every acknowledged write is in the kernel and
   * survives; what `appendfsync` leaves unsynced is lost only when the machine goes down with it.
   */
  keptUpTo(now: number, host = false): number {
    const o = this.#options;
    if (o.mode === "none") return -Infinity;
    if (o.mode === "aof") return host ? now - AOF_LOSS[o.fsync] : now;
    this.#catchUp(now);
    return this.#lastSave;
  }

  /**
   * Redis checks its save points by the clock (serverCron, ten times a second), not only when a
   * write comes: a point whose changes were already made comes due `seconds` after the last save
   * even with no write since. Takes that snapshot if it came due by `now`. (Its changes were all
   * made before it; with none left to count, no other point can come due until the next write.)
   */
  #catchUp(now: number): void {
    if (this.#changes === 0) return;
    let due = Infinity;
    for (const [seconds, changes] of this.#options.save) if (this.#changes >= changes) due = Math.min(due, this.#lastSave + seconds);
    if (due <= now) {
      this.#lastSave = due;
      this.#changes = 0;
    }
  }

  /** After a restart the loaded data set is the last save. */
  restarted(now: number): void {
    this.#lastSave = now;
    this.#changes = 0;
  }
}
