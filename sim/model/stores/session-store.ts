import type { LostCause } from "../../metrics/causes.js";
import type { StoreFigures } from "../../metrics/result.js";

/**
 * Where session state lives. The simulation asks the store on every served request how long
 * reading (and writing) the session takes and whether the serving server can read it; what
 * differs between local memory, a shared store and later kinds is behind this interface, chosen
 * once from the scenario.
 */
export interface SessionStore {
  /**
   * True for stores whose write waits its turn at the store (a capacity): `write` is then asked
   * when the work is done, one more event per request. Otherwise the write's round trip is part of
   * what `access` returns and a request costs no extra event.
   */
  readonly queued: boolean;
  /**
   * A request of `slot` starts service on `server` at `now` (its user `uid`, its request number
   * `n`, for keyed draws): seconds until the session has been read (plus the write's round trip, unless
   * `queued`). When the store cannot answer and the application answers an error, `failed` is
   * true afterwards and the request fails after that many seconds. With `read` false the session
   * came from elsewhere (a cache in front, the current store of a dual write): only its write goes here.
   */
  access(slot: number, now: number, uid: number, n: number, server: number, read?: boolean): number;
  /** Set by `access`: the request fails (an error page) instead of being served. */
  readonly failed: boolean;
  /** The work of `slot`'s request is done at `now`: seconds until the session is written (queued stores). */
  write(slot: number, now: number, uid: number, n: number): number;
  /** Records that `server` created (or wrote) the session of client `slot` at `now`. */
  created(slot: number, server: number, now: number): void;
  /** null when `server` can read the live session of `slot` at `now`, else why it cannot. */
  readFailure(slot: number, server: number, now: number): LostCause | null;
  /** Whether `server` holds the session in its own memory before this request reads it (an affinity hit when the read succeeds). */
  heldLocally(slot: number, server: number): boolean;
  /** After a failed read because data was lost: the scenario event that lost it (-1: none, or not known). */
  lostBy(slot: number): number;
  /** For stores in the servers' memory: sessions each server holds at `now` (expired ones too, until cleaned up). */
  held?(now: number): Int32Array;
  /** For stores that keep copies keyed by session: the session of `slot` ended (idled out, abandoned, cookie cleared); a next one is a different key. */
  ended?(slot: number): void;
    /** For stores that keep copies on other servers: `server`'s memory was lost at `now` (a crash, a stop). */
  memoryLost?(server: number, now: number): void;
  /** What the store measured of itself while measuring (cache hits, stale reads, replication traffic); absent figures are null. */
  figures?(): Partial<StoreFigures>;
  /** For stores that count them: operations (reads and writes) executed at the store so far. */
  operations?(): number;
  /** Bytes one held session takes. */
  readonly sessionBytes?: number;
  /**
   * The store is unreachable for `seconds` from `now` (scenario event `event`); with `node`, only
   * that node of a store made of nodes (validation gives it only to such stores). Stores that
   * cannot fail ignore it.
   */
  outage?(seconds: number, now: number, event: number, node?: string): void;
  /** The store's process (with `node`, that node's) restarts at `now`, down for `seconds`, keeping what its persistence kept. */
  restart?(seconds: number, now: number, event: number, node?: string, host?: boolean): void;
}

/** The part of a store that never waits and never fails (local memory, client-side tokens). */
export abstract class InstantStore {
  readonly queued = false;
  readonly failed = false;

  access(): number {
    return 0;
  }

  write(): number {
    return 0;
  }
}
