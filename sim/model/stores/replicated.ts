import { z } from "zod";
import { lostCauses, type LostCause } from "../../metrics/causes.js";
import type { StoreFigures } from "../../metrics/result.js";
import { count, duration } from "../../scenario/fields.js";
import { defineStore, type StoreContext } from "./define.js";
import { grown, grownLength } from "./grow.js";
import { InstantStore, type SessionStore } from "./session-store.js";

interface ReplicatedOptions {
  replication: "backup" | "all";
  lag: number;
  sessionBytes: number;
  changeBytes?: number;
}

/** A session's state in the cluster, per client slot. */
const enum Copy {
  Current = 0,
  /** The server that took over missed the session's latest write (it was inside the replication lag). */
  Stale = 1,
  /** No surviving member had any copy. */
  Lost = 2,
}

/**
 * Sessions in the servers' memory, replicated asynchronously to other servers after every
 * request, as Tomcat's cluster managers do (webapps/docs/cluster-howto.xml; the default
 * `channelSendOptions` 8 is asynchronous, so the response leaves before the copy arrives):
 *
 * - `backup` (BackupManager, java/org/apache/catalina/tribes/tipis/LazyReplicatedMap.java and
 *   AbstractReplicatedMap.java): each session has a primary (the server that created it or last
 *   served it) and exactly one backup, chosen round robin over the other members by each server in turn. A request on
 *   another server makes that server the primary: the backup already has the data and picks a new
 *   backup; any other server fetches it from the backup, which stays. When the primary fails the
 *   backup takes over and copies to a new backup; when the backup fails the primary copies to a
 *   new one. Primary and backup lost together lose the session.
 * - `all` (DeltaManager): every member holds every session; a starting member receives the whole
 *   state from a running one, so only losing every member at once loses sessions.
 *
 * Either way a write inside the lag before its server fails has not reached the copies: the
 * server that takes over reads the version before it (a stale read), or nothing when the session
 * was created inside that window. Replication traffic is what the serving server sends.
 */
class ReplicatedStore extends InstantStore implements SessionStore {
  readonly sessionBytes: number;
  readonly #all: boolean;
  readonly #lag: number;
  readonly #changeBytes: number;
  readonly #context: StoreContext;
  /** Per server, the next member it considers as a backup: each server's map cycles over its own list of the other members. */
  readonly #nextBackup: Int32Array;
  /** Slots seen so far: the crash scan looks at these. */
  #used = 0;
  #lostBy = -1;
  #staleReads = 0;
  /** Bytes each server sent to other members while measuring. */
  readonly #sent: Float64Array;
  /** Per session: its primary (-1: none in particular, with `all`), its backup (-1: none), when it was last used. */
  #primary = new Int32Array(1024);
  #backup = new Int32Array(1024);
  #lastUse = new Float64Array(1024);
  /** From when the copies hold any version of the session, and until when they lack its latest write. */
  #copiedFrom = new Float64Array(1024);
  #pendingUntil = new Float64Array(1024);
  #copy = new Uint8Array(1024);
  /** For a lost session: why (an index into lostCauses) and the scenario event to charge it to. */
  #lostCause = new Uint8Array(1024);
  #lostEvent = new Int32Array(1024);

  constructor(options: ReplicatedOptions, context: StoreContext) {
    super();
    this.#all = options.replication === "all";
    this.#lag = options.lag;
    this.sessionBytes = options.sessionBytes;
    this.#changeBytes = options.changeBytes ?? options.sessionBytes;
    this.#context = context;
    this.#sent = new Float64Array(context.capacity);
    this.#nextBackup = new Int32Array(context.capacity);
  }

  created(slot: number, server: number, now: number): void {
    if (slot >= this.#primary.length) this.#grow(slot);
    if (slot >= this.#used) this.#used = slot + 1;
    this.#primary[slot] = server;
    this.#backup[slot] = this.#all ? -1 : this.#chooseBackup(server);
    this.#copy[slot] = Copy.Current;
    this.#copiedFrom[slot] = now + this.#lag;
    this.#written(slot, server, now);
  }

  readFailure(slot: number, server: number, now: number): LostCause | null {
    const copy = this.#copy[slot];
    if (copy === Copy.Lost) {
      this.#lostBy = this.#lostEvent[slot];
      return lostCauses[this.#lostCause[slot]];
    }
    if (copy === Copy.Stale) {
      if (now >= this.#context.measureFrom) this.#staleReads++;
      this.#copy[slot] = Copy.Current;
    }
    if (this.#primary[slot] !== server) this.#takeOver(slot, server, now);
    this.#written(slot, server, now);
    return null;
  }

  /** With `all` every server holds every session; with a backup, the primary does (the backup takes it over when it serves it). */
  heldLocally(slot: number, server: number): boolean {
    return this.#all || this.#primary[slot] === server;
  }

  lostBy(): number {
    return this.#lostBy;
  }

  /**
   * A server's memory is gone: sessions it was primary for pass to their backup (or, with `all`,
   * to every other member), those it backed up are copied to a new backup, and a session with no
   * surviving copy is lost. The copies lack whatever was written within the lag before now.
   */
  memoryLost(server: number, now: number): void {
    const others = this.#context.members.runningCount;
    const idle = this.#context.idleTimeout;
    for (let slot = 0; slot < this.#used; slot++) {
      if (this.#copy[slot] === Copy.Lost || now - this.#lastUse[slot] > idle) continue;
      if (this.#all) {
        if (others === 0) this.#lose(slot, server);
        else if (this.#primary[slot] === server) this.#primaryLost(slot, -1, now);
      } else if (this.#primary[slot] === server) {
        const backup = this.#backup[slot];
        if (backup < 0) this.#lose(slot, server);
        else this.#primaryLost(slot, backup, now);
      } else if (this.#backup[slot] === server) {
        this.#newBackup(slot, this.#primary[slot], now);
      }
    }
  }

  figures(): Partial<StoreFigures> {
    const { members, measureFrom, measureUntil } = this.#context;
    const seconds = measureUntil - measureFrom;
    let sum = 0, peak = 0;
    for (let s = 0; s < members.size; s++) {
      sum += this.#sent[s];
      peak = Math.max(peak, this.#sent[s]);
    }
    return {
      staleReads: this.#staleReads,
      replicationBytesPerSecond: seconds > 0 && members.size > 0 ? sum / members.size / seconds : null,
      peakReplicationBytesPerSecond: seconds > 0 ? peak / seconds : null,
    };
  }

  /** The primary is gone: `heir` (the backup; -1 with `all`: any member) serves the copy it has, if it has one. */
  #primaryLost(slot: number, heir: number, now: number): void {
    if (now < this.#copiedFrom[slot]) return this.#lose(slot, this.#primary[slot]);
    if (now < this.#pendingUntil[slot]) this.#copy[slot] = Copy.Stale;
    this.#primary[slot] = heir;
    if (heir >= 0) this.#newBackup(slot, heir, now);
  }

  /** `server` serves the session it is not primary for, and becomes its primary. */
  #takeOver(slot: number, server: number, now: number): void {
    const backup = this.#backup[slot];
    this.#primary[slot] = server;
    if (this.#all) return;
    // The backup promoted needs a new backup; any other server fetched the session from the backup, which stays.
    if (backup === server || backup < 0) this.#newBackup(slot, server, now);
    else this.#send(backup, this.sessionBytes, now);
  }

  /** `primary` copies the whole session to a new backup, which has it after the lag. */
  #newBackup(slot: number, primary: number, now: number): void {
    const backup = this.#chooseBackup(primary);
    this.#backup[slot] = backup;
    if (backup < 0) return;
    this.#copiedFrom[slot] = Math.max(this.#copiedFrom[slot], now + this.#lag);
    this.#pendingUntil[slot] = Math.max(this.#pendingUntil[slot], now + this.#lag);
    this.#send(primary, this.sessionBytes, now);
  }

  /** The request on `server` changed the session: the change goes to the copies. */
  #written(slot: number, server: number, now: number): void {
    this.#lastUse[slot] = now;
    this.#pendingUntil[slot] = now + this.#lag;
    if (!this.#all) {
      if (this.#backup[slot] >= 0) this.#send(server, this.#changeBytes, now);
      return;
    }
    // Every other running member gets the change (the serving server runs).
    this.#send(server, this.#changeBytes * (this.#context.members.runningCount - 1), now);
  }

  #send(server: number, bytes: number, now: number): void {
    if (now >= this.#context.measureFrom) this.#sent[server] += bytes;
  }

  #lose(slot: number, server: number): void {
    this.#copy[slot] = Copy.Lost;
    this.#lostCause[slot] = lostCauses.indexOf(this.#context.memoryLostBy[server]);
    this.#lostEvent[slot] = this.#context.memoryLostByEvent[server];
  }

  /**
   * The next running member after the last one `primary` chose, other than itself; -1 when there is
   * none. Each server's map keeps its own counter over its members (AbstractReplicatedMap
   * `getNextBackupIndex`), so a server's sessions spread evenly over the others.
   */
  #chooseBackup(primary: number): number {
    const members = this.#context.members, n = members.size, next = this.#nextBackup[primary];
    for (let i = 0; i < n; i++) {
      const s = (next + i) % n;
      if (s !== primary && members.running[s]) {
        this.#nextBackup[primary] = (s + 1) % n;
        return s;
      }
    }
    return -1;
  }

  #grow(slot: number): void {
    const n = grownLength(this.#primary.length, slot);
    this.#primary = grown(this.#primary, n);
    this.#backup = grown(this.#backup, n);
    this.#lastUse = grown(this.#lastUse, n);
    this.#copiedFrom = grown(this.#copiedFrom, n);
    this.#pendingUntil = grown(this.#pendingUntil, n);
    this.#copy = grown(this.#copy, n);
    this.#lostCause = grown(this.#lostCause, n);
    this.#lostEvent = grown(this.#lostEvent, n);
  }
}

export const replicatedStore = defineStore({
  kind: "replicated",
  title: "replicated server memory",
  summary: "Sessions in server memory, copied asynchronously to one backup server (Tomcat BackupManager) or to every server (DeltaManager); a crash loses only what the copies had not received.",
  options: {
    replication: z
      .enum(["backup", "all"])
      .default("backup")
      .describe("backup: one backup per session, round robin over the other servers (Tomcat BackupManager); all: every server holds every session (DeltaManager)."),
    lag: duration
      .default(0.01)
      .describe("Seconds from a request's change until the copies have it (asynchronous replication; default 10 ms, a value to replace with a measured one). A server lost within it takes the change with it."),
    sessionBytes: count(1 << 30).default(2048).describe("Bytes one session takes; a new backup receives all of it."),
    changeBytes: count(1 << 30).optional().describe("Bytes one request's change sends to each copy (Tomcat ships deltas); default: the whole session."),
  },
  create: (options, context) => new ReplicatedStore(options as ReplicatedOptions, context),
});
