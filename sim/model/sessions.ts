import { isTopologyCause, type LostCause } from "../metrics/causes.js";
import type { RemapTracker } from "./remap-tracker.js";
import type { World } from "./world.js";

/**
 * Application sessions: created on a user's first answered request, read at the start of every
 * later one, lost when the serving server cannot read them, expired after the store's idle
 * timeout. Every session is accounted for in the metrics (started, inherited from the warmup,
 * expired, lost, live at the end).
 */
export class Sessions {
  readonly #clients: World["clients"];
  readonly #metrics: World["metrics"];
  readonly #byClass: World["metrics"]["byClass"];
  readonly #store: World["store"];
  readonly #tracker: RemapTracker;
  readonly #idleTimeout: number;
  /** Sessions in use per server: users in a visit whose last served request it served. */
  readonly inUse: Int32Array;
  /** Session ids handed out so far. */
  #issued = 0;

  constructor(world: World, tracker: RemapTracker, idleTimeout: number) {
    this.inUse = new Int32Array(world.servers.capacity);
    this.#clients = world.clients;
    this.#metrics = world.metrics;
    this.#byClass = world.metrics.byClass;
    this.#store = world.store;
    this.#tracker = tracker;
    this.#idleTimeout = idleTimeout;
  }

  live(slot: number, now: number): boolean {
    const t = this.#clients;
    return t.session[slot] >= 0 && now - t.sessionLastSeen[slot] <= this.#idleTimeout;
  }

  /** Reserves the id the session a request of `slot` will start gets, when it has no session and no reservation yet. */
  reserve(slot: number): void {
    const t = this.#clients;
    if (t.session[slot] < 0 && t.reservedSession[slot] < 0) t.reservedSession[slot] = this.#issued++;
  }

  /** The user's visit ended: the session stays (a returning user may use it again) but is no longer in use on its server. */
  visitEnded(slot: number, now: number): void {
    this.#uncount(slot, now);
  }

  /** The user cleared cookies: a live session is lost, any other is let go. */
  cookiesCleared(slot: number, now: number): void {
    if (this.live(slot, now)) {
      this.#lost(slot, now, "cookieCleared", -1);
      this.#end(slot, now);
    } else {
      this.abandon(slot, now);
    }
  }

  /** The user stopped using the session (it idled out, or the user left): it lives until its idle timeout. */
  abandon(slot: number, now: number): void {
    const t = this.#clients;
    if (t.session[slot] < 0) return;
    this.#metrics.sessionAbandoned(now, t.sessionLastSeen[slot] + this.#idleTimeout);
    this.#byClass?.sessionAbandoned(t.deviceClass[slot], now, t.sessionLastSeen[slot] + this.#idleTimeout);
    this.#end(slot, now);
  }

  /** Measurement starts: the sessions live now are inherited from the warmup. */
  measureStart(now: number): void {
    const t = this.#clients;
    for (let slot = 0; slot < t.used; slot++) {
      if (!this.live(slot, now)) continue;
      this.#metrics.liveSessionsAtStart++;
      this.#byClass?.inherited(t.deviceClass[slot]);
    }
  }

  /** The application reads the session at the start of service; a session it cannot read is lost and started over. */
  read(slot: number, server: number, now: number): void {
    const t = this.#clients, store = this.#store, metrics = this.#metrics;
    const previous = t.sessionServer[slot];
    if (t.session[slot] < 0) {
      this.#start(slot, server, now);
    } else {
      const event = this.#tracker.close(slot, now, server);
      // Whether the server held it is asked before the read, which may move the session there.
      const held = store.heldLocally(slot, server);
      const failure = store.readFailure(slot, server, now);
      metrics.continued(now, server !== previous, failure === null && held);
      this.#byClass?.continued(t.deviceClass[slot], now, server !== previous, failure === null && held);
      if (failure !== null) {
        // Memory lost to a crash, stop or drain is charged to the event that lost it (a drain's
        // deadline comes long after the drain; a random failure is no event's).
        const chargedTo = failure === "remapped" || failure === "storeOutage" ? event : store.lostBy(slot);
        this.#lost(slot, now, failure === "remapped" && t.addressChanged[slot] ? "addressChanged" : failure, chargedTo);
        // The user starts over under the same key (the cookie a hashing balancer keys on stays),
        // so a session restarted on the server its key now hashes to stays there.
        t.reservedSession[slot] = t.session[slot];
        this.#start(slot, server, now);
      }
    }
    t.sessionLastSeen[slot] = now;
    t.sessionServer[slot] = server;
    t.addressChanged[slot] = 0;
    if (t.countedOn[slot] !== server) {
      this.#uncount(slot, now);
      if (this.inUse[server]++ === 0) this.#tracker.serverFilled(server);
      t.countedOn[slot] = server;
    }
  }

  #uncount(slot: number, now: number): void {
    const t = this.#clients, server = t.countedOn[slot];
    if (server < 0) return;
    t.countedOn[slot] = -1;
    if (--this.inUse[server] === 0) this.#tracker.serverEmptied(server, now);
  }

  /** A loss, counted by cause (and for `event`, the topology event it is charged to) and, the first time in a measured visit, as a disrupted visit. */
  #lost(slot: number, now: number, cause: LostCause, event: number): void {
    const t = this.#clients;
    this.#metrics.lost(now, cause);
    this.#byClass?.lost(t.deviceClass[slot], now, cause);
    if (isTopologyCause(cause)) this.#tracker.lost(slot, event, cause);
    if (t.visitState[slot] === 1) {
      t.visitState[slot] = 2;
      this.#metrics.visitDisrupted();
      this.#byClass?.visitDisrupted(t.deviceClass[slot]);
    }
  }

  #start(slot: number, server: number, now: number): void {
    const t = this.#clients;
    t.session[slot] = t.reservedSession[slot] >= 0 ? t.reservedSession[slot] : this.#issued++;
    t.sessionStartedAt[slot] = now;
    t.reservedSession[slot] = -1;
    this.#store.created(slot, server, now);
    this.#metrics.sessionStarted(now);
    this.#byClass?.sessionStarted(t.deviceClass[slot], now);
  }

  #end(slot: number, now: number): void {
    this.#tracker.close(slot, now, -1);
    this.#uncount(slot, now);
    this.#clients.session[slot] = -1;
    this.#store.ended?.(slot);
  }
}
