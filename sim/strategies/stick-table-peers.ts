import { StickTable } from "./stick-table.js";

/** Updates in flight the queue holds before it first grows (a power of two; it doubles from there). */
const MIN_IN_FLIGHT = 256;

/**
 * The stick tables of HAProxy processes joined by a `peers` section (configuration.txt "Peers";
 * src/peers.c), one table per balancer replica, and the updates in flight between them.
 *
 * - Every local touch of an entry (a `stick match` hit and a store: `stktable_touch_local`) queues
 *   it for the peers, and the sync task sends it at once with the server it names then. It reaches
 *   every other table `delay` seconds later, where the value simply replaces the one there: peers
 *   keep no versions, so two writes of one key that cross in flight leave each writer with the
 *   other's server, and the last to arrive wins in every table.
 * - The receiver (`peer_treat_updatemsg`) reserves an entry first (`stksess_new`, so a full table
 *   purges, or drops the update with `nopurge`, exactly as a local store), writes the server into
 *   the entry for the key, new or already there (a new one queued for expiry under the arrival),
 *   and sets its expiry to `expire` from the arrival: live updates carry none (only the teaching
 *   of a resync sends the remaining lifetime), so it forces `now + expire`. It then calls
 *   `stktable_touch_remote`, which keeps that expiry (`__stktable_touch_with_exp(..., ts->expire)`)
 *   and, unlike a local touch, does not queue the entry for the peers: a received update is not
 *   sent on. So a received update is a store made at its arrival.
 *
 * Nothing here is an engine event: the queue is in arrival order (every update takes the same
 * delay and comes in time order), and each replica delivers what has arrived by `now` before it
 * looks up or stores anything at `now`, applying each update at its arrival time.
 */
export class StickTablePeers {
  readonly tables: readonly StickTable[];
  readonly #delay: number;
  /** The queue: a ring of updates, oldest at `#head`. */
  #arrival = new Float64Array(MIN_IN_FLIGHT);
  #keys = new Float64Array(MIN_IN_FLIGHT);
  #servers = new Int32Array(MIN_IN_FLIGHT);
  #from = new Int32Array(MIN_IN_FLIGHT);
  #head = 0;
  #count = 0;

  constructor(replicas: number, size: number, expire: number, nopurge: boolean, delay: number) {
    this.tables = Array.from({ length: replicas }, () => new StickTable(size, expire, nopurge));
    this.#delay = delay;
  }

  /** Applies, oldest first, every update that has reached its peers by `now`. */
  deliver(now: number): void {
    const tables = this.tables, mask = this.#arrival.length - 1;
    while (this.#count > 0 && this.#arrival[this.#head] <= now) {
      const at = this.#arrival[this.#head], key = this.#keys[this.#head], server = this.#servers[this.#head], from = this.#from[this.#head];
      for (let r = 0; r < tables.length; r++) if (r !== from) tables[r].store(key, server, at, at);
      this.#head = (this.#head + 1) & mask;
      this.#count--;
    }
  }

  /** Replica `from` touched or stored the entry for `key`, which names `server`, at `now`. */
  publish(from: number, key: number, server: number, now: number): void {
    if (this.tables.length === 1) return;
    if (this.#count === this.#arrival.length) this.#grow();
    const at = (this.#head + this.#count) & (this.#arrival.length - 1);
    this.#arrival[at] = now + this.#delay;
    this.#keys[at] = key;
    this.#servers[at] = server;
    this.#from[at] = from;
    this.#count++;
  }

  /** Doubles the ring, its oldest update first. */
  #grow(): void {
    const unwrap = <T extends Float64Array | Int32Array>(old: T): T => {
      const array = new (old.constructor as new (n: number) => T)(2 * old.length);
      array.set(old.subarray(this.#head));
      array.set(old.subarray(0, this.#head), old.length - this.#head);
      return array;
    };
    this.#arrival = unwrap(this.#arrival);
    this.#keys = unwrap(this.#keys);
    this.#servers = unwrap(this.#servers);
    this.#from = unwrap(this.#from);
    this.#head = 0;
  }
}
