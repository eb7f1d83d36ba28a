import type { LostCause } from "../../metrics/causes.js";

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
   * A request of `slot` starts service at `now` (its user `uid`, its request number `n`, for keyed
   * draws): seconds until the session has been read (plus the write's round trip, unless
   * `queued`). When the store cannot answer and the application answers an error, `failed` is
   * true afterwards and the request fails after that many seconds.
   */
  access(slot: number, now: number, uid: number, n: number): number;
  /** Set by `access`: the request fails (an error page) instead of being served. */
  readonly failed: boolean;
  /** The work of `slot`'s request is done at `now`: seconds until the session is written (queued stores). */
  write(slot: number, now: number, uid: number, n: number): number;
  /** Records that `server` created (or wrote) the session of client `slot` at `now`. */
  created(slot: number, server: number, now: number): void;
  /** null when `server` can read the live session of `slot` at `now`, else why it cannot. */
  readFailure(slot: number, server: number, now: number): LostCause | null;
  /** Whether `server` already held the session in its own memory (an affinity hit). */
  heldLocally(slot: number, server: number): boolean;
  /** After a failed read because data was lost: the scenario event that lost it (-1: none, or not known). */
  lostBy(slot: number): number;
  /** For stores in the servers' memory: sessions each server holds at `now` (expired ones too, until cleaned up). */
  held?(now: number): Int32Array;
  /** For client-side tokens: the mean time a session revoked at one of its requests keeps working (null: never expires). */
  revocationSeconds?(): number | null;
  /** Bytes one held session takes. */
  readonly sessionBytes?: number;
  /** The store is unreachable for `seconds` from `now` (scenario event `event`). Stores that cannot fail ignore it. */
  outage?(seconds: number, now: number, event: number): void;
  /** The store's process restarts at `now`, down for `seconds`, keeping what its persistence kept. */
  restart?(seconds: number, now: number, event: number): void;
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
