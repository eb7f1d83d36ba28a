import type { TopologyEventResult } from "../metrics/result.js";
import type { World } from "./world.js";

/**
 * What each topology event did to the sessions live at it: how many there were, how many came
 * back, how many of those were routed to another server than before, and how many had to move
 * because their server was taken away. A session's move is judged at its first served request
 * after the event, and credited to the last event it was live at.
 *
 * NOTE: nothing is done per session when an event happens, so an event costs the same with a
 * million users as with ten. A session's live interval (from its last use to its next, or to
 * its end) is matched against the events instead when the interval closes: one comparison per
 * request when no event happened since the session's last use.
 */
export class RemapTracker {
  readonly #world: World;
  readonly #idleTimeout: number;
  readonly #at: Float64Array;
  /** Per event: the server it takes away, or -1. */
  readonly #removed: Int32Array;
  readonly #active: Float64Array;
  readonly #returned: Float64Array;
  readonly #moved: Float64Array;
  readonly #mustMove: Float64Array;
  /** Events applied so far; a session's interval is matched only against those. */
  #applied = 0;

  constructor(world: World, idleTimeout: number) {
    this.#world = world;
    this.#idleTimeout = idleTimeout;
    const n = world.scenario.events.length;
    this.#at = Float64Array.from(world.scenario.events, (e) => e.at);
    this.#removed = new Int32Array(n).fill(-1);
    this.#active = new Float64Array(n);
    this.#returned = new Float64Array(n);
    this.#moved = new Float64Array(n);
    this.#mustMove = new Float64Array(n);
  }

  /** Event `index` (in time order) has been applied; `removed` is the server it took away, or -1. */
  applied(index: number, removed: number): void {
    this.#removed[index] = removed;
    this.#applied = index + 1;
  }

  /**
   * The live interval of `slot`'s session closes at `now`: it is used again (served by
   * `server`, -1 when it ends instead: cleared, abandoned, the run over). Every event applied
   * while it was live counts it as active; the last of them judges where it went.
   */
  close(slot: number, now: number, server: number): void {
    const applied = this.#applied;
    if (applied === 0) return;
    const at = this.#at, t = this.#world.clients, since = t.sessionLastSeen[slot];
    if (at[applied - 1] <= since) return;
    const until = Math.min(now, since + this.#idleTimeout);
    let i = firstAfter(at, applied, since), last = -1;
    for (; i < applied && at[i] <= until; i++) {
      this.#active[i]++;
      last = i;
    }
    if (last < 0 || server < 0) return;
    const previous = t.sessionServer[slot];
    this.#returned[last]++;
    if (server !== previous) this.#moved[last]++;
    if (previous === this.#removed[last]) this.#mustMove[last]++;
  }

  /** Every event's figures, fractions included (null where no session returned). */
  results(): TopologyEventResult[] {
    const { events, servers } = this.#world.scenario;
    return events.map((event, i) => ({
      at: event.at,
      action: event.action,
      server: event.servers.map((s) => servers.list[s].name).join(", "),
      activeSessions: this.#active[i],
      returnedSessions: this.#returned[i],
      movedSessions: this.#moved[i],
      remapFraction: this.#returned[i] > 0 ? this.#moved[i] / this.#returned[i] : null,
      minimumFraction: this.#returned[i] > 0 ? this.#mustMove[i] / this.#returned[i] : null,
    }));
  }
}

/** The first index below `n` whose time is after `t` (times sorted ascending). */
function firstAfter(at: Float64Array, n: number, t: number): number {
  let low = 0, high = n;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (at[mid] <= t) low = mid + 1;
    else high = mid;
  }
  return low;
}
