import type { LostCause } from "../../metrics/causes.js";

/**
 * Where session state lives. The simulation asks the store on every served request whether
 * the serving server can read the session; what differs between local memory, a shared
 * store and later kinds is behind this interface, chosen once from the scenario.
 */
export interface SessionStore {
  /** Seconds of store round trips added to every request's service. */
  readonly tripTime: number;
  /** Records that `server` created (or wrote) the session of client `slot`. */
  created(slot: number, server: number): void;
  /** null when `server` can read the live session of `slot`, else why it cannot. */
  readFailure(slot: number, server: number): LostCause | null;
  /** Whether `server` already held the session in its own memory (an affinity hit). */
  heldLocally(slot: number, server: number): boolean;
  /** After a failed read because memory was lost: the scenario event that lost it (-1: none, or not known). */
  lostBy(slot: number): number;
}
