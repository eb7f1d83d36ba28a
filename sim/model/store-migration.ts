import type { LostCause } from "../metrics/causes.js";
import type { StoreFigures } from "../metrics/result.js";
import type { StoreSpec } from "../scenario/store-schema.js";
import { grown, grownLength } from "./stores/grow.js";
import type { SessionStore } from "./stores/index.js";
import { InstantStore } from "./stores/session-store.js";

/**
 * The session store of a run whose scenario changes it ("store" events), the steps of a
 * migration off server memory: the current store, and a store being dual-written behind it.
 * While dual-writing, every request writes both; the current store is read first, and a session
 * it cannot read (its server was lost, the request moved) is read from the other one and kept in
 * the current store again. Switching to the dual-written store keeps the sessions written to it
 * since the dual write began; the rest were never copied and are lost at their next request
 * (cause storeSwitched), as they are all when switching to a store nobody wrote.
 */
export class MigratingStore implements SessionStore {
  queued: boolean;
  readonly sessionBytes?: number;
  readonly #create: (spec: StoreSpec) => SessionStore;
  #current: SessionStore;
  #secondary: SessionStore | null = null;
  #currentInstant: boolean;
  /** Each store has a number (the scenario's own store 0); per session, the store it was last written to as the current and as the secondary store. */
  #currentId = 0;
  #secondaryId = -1;
  #stores = 0;
  #inCurrent = new Int32Array(1024);
  #inSecondary = new Int32Array(1024).fill(-1);
  /** The event that made the current store the only one, for losses of sessions it never had. */
  #switchEvent = -1;
  /** Operations done by stores no longer in use. */
  #operationsLeft = 0;
  /** Whether the store behind had the current access's session before that access wrote it. */
  #secondaryHad = false;
  /** The store whose read failed last. */
  #failedIn: SessionStore | null = null;
  readonly #none: Int32Array;

  constructor(initial: SessionStore, create: (spec: StoreSpec) => SessionStore, capacity: number) {
    this.#current = initial;
    this.#create = create;
    this.#currentInstant = initial instanceof InstantStore;
    this.queued = initial.queued;
    this.sessionBytes = initial.sessionBytes;
    this.#none = new Int32Array(capacity);
  }

  get failed(): boolean {
    return this.#current.failed;
  }

  /** Scenario event `event` changes the store: a new one behind the current (dual write), or a switch to a new or the dual-written one. */
  change(event: number, store: StoreSpec | string, dualWrite: boolean): void {
    // A store left behind keeps the operations it did.
    if (typeof store !== "string" && !dualWrite) this.#operationsLeft += (this.#current.operations?.() ?? 0) + (this.#secondary?.operations?.() ?? 0);
    if (typeof store === "string") {
      this.#operationsLeft += this.#current.operations?.() ?? 0;
      this.#current = this.#secondary as SessionStore;
      this.#currentId = this.#secondaryId;
      this.#secondary = null;
      this.#secondaryId = -1;
      this.#switchEvent = event;
    } else if (dualWrite) {
      this.#secondary = this.#create(store);
      this.#secondaryId = ++this.#stores;
    } else {
      this.#current = this.#create(store);
      this.#currentId = ++this.#stores;
      this.#secondary = null;
      this.#secondaryId = -1;
      this.#switchEvent = event;
    }
    this.#currentInstant = this.#current instanceof InstantStore;
    this.queued = this.#current.queued || (this.#secondary?.queued ?? false);
  }

  access(slot: number, now: number, uid: number, n: number, server: number): number {
    if (slot >= this.#inCurrent.length) this.#grow(slot);
    const current = this.#current, secondary = this.#secondary;
    const seconds = this.#currentInstant ? 0 : current.access(slot, now, uid, n, server);
    if (secondary === null) return seconds;
    // The secondary is read only where the current store does not hold the session; it is always written.
    this.#secondaryHad = this.#inSecondary[slot] === this.#secondaryId;
    const more = secondary.access(slot, now, uid, n, server, !current.heldLocally(slot, server));
    if (!secondary.failed) this.#inSecondary[slot] = this.#secondaryId;
    return seconds + more;
  }

  write(slot: number, now: number, uid: number, n: number): number {
    const current = this.#current, secondary = this.#secondary;
    return (current.queued ? current.write(slot, now, uid, n) : 0) + (secondary?.queued ? secondary.write(slot, now, uid, n) : 0);
  }

  created(slot: number, server: number, now: number): void {
    if (slot >= this.#inCurrent.length) this.#grow(slot);
    this.#current.created(slot, server, now);
    this.#inCurrent[slot] = this.#currentId;
    this.#secondary?.created(slot, server, now);
  }

  readFailure(slot: number, server: number, now: number): LostCause | null {
    // The current store has the session if it was written there as the current store, or as the store behind it before the switch.
    if (this.#inCurrent[slot] !== this.#currentId && this.#inSecondary[slot] !== this.#currentId) {
      this.#failedIn = null;
      return "storeSwitched";
    }
    const failure = this.#current.readFailure(slot, server, now);
    const secondary = this.#secondary;
    if (failure === null || secondary === null || !this.#secondaryHad || secondary.readFailure(slot, server, now) !== null) {
      this.#failedIn = this.#current;
      return failure;
    }
    // Read from the store behind: the application keeps it in the current store again.
    this.#current.created(slot, server, now);
    return null;
  }

  heldLocally(slot: number, server: number): boolean {
    return this.#current.heldLocally(slot, server);
  }

  lostBy(slot: number): number {
    return this.#failedIn === null ? this.#switchEvent : this.#failedIn.lostBy(slot);
  }

  /** Sessions the current store holds in each server's memory (none for a store elsewhere). */
  held(now: number): Int32Array {
    return this.#current.held?.(now) ?? this.#none;
  }

  ended(slot: number): void {
    this.#current.ended?.(slot);
    this.#secondary?.ended?.(slot);
  }

    memoryLost(server: number, now: number): void {
    this.#current.memoryLost?.(server, now);
    this.#secondary?.memoryLost?.(server, now);
  }

  outage(seconds: number, now: number, event: number, node?: string): void {
    this.#current.outage?.(seconds, now, event, node);
    this.#secondary?.outage?.(seconds, now, event, node);
  }

  restart(seconds: number, now: number, event: number, node?: string, host?: boolean): void {
    this.#current.restart?.(seconds, now, event, node, host);
    this.#secondary?.restart?.(seconds, now, event, node, host);
  }

  /** Operations at every store written so far that counts them: the current one, the one behind it, and those left behind. */
  operations(): number {
    return this.#operationsLeft + (this.#current.operations?.() ?? 0) + (this.#secondary?.operations?.() ?? 0);
  }

  figures(): Partial<StoreFigures> {
    return { ...this.#secondary?.figures?.(), ...this.#current.figures?.() };
  }

  #grow(slot: number): void {
    const n = grownLength(this.#inCurrent.length, slot);
    this.#inCurrent = grown(this.#inCurrent, n);
    const secondary = grown(this.#inSecondary, n);
    secondary.fill(-1, this.#inSecondary.length);
    this.#inSecondary = secondary;
  }
}
