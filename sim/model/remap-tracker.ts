import { topologyCauses, type TopologyCause } from "../metrics/causes.js";
import type { TopologyEventResult } from "../metrics/result.js";
import type { World } from "./world.js";

/**
 * What each topology event did to the sessions live at it: how many there were, how many came
 * back once the event had taken effect, how many of those were routed to another server than
 * before, how many had to move because their server was taken away, and how many were lost
 * because of it (each at most once, by the cause of its first loss).
 *
 * An event takes effect when the balancer has applied it: health checks agree with the servers
 * (a crash detected, a recovered or added server passed its checks), drains have reached their
 * deadlines, deploys have finished; or when the next event comes. A session live at the event is
 * judged at its first served request after that, against the server it used before the event;
 * requests before it only count its losses. Of events at the same time, a session is credited
 * to the one that concerns its server, else to the last.
 *
 * NOTE: nothing is done per session when an event happens, so an event costs the same with a
 * million users as with ten. A session's live interval (from its last use to its next, or to
 * its end) is matched against the events when the interval closes: one comparison per request
 * when no event happened since the session's last use, two binary searches over the events when
 * one did (counting the session at each event it spanned cost up to 15 ns per session and event:
 * 1.4 ms per event at 100,000 sessions, measured with `npm run bench -- --scaling`).
 */
export class RemapTracker {
  readonly #world: World;
  readonly #idleTimeout: number;
  readonly #at: Float64Array;
  /** Index of the first event of each event's group (events at the same time). */
  readonly #group: Int32Array;
  /** When each event's group has taken effect (Infinity until then). */
  readonly #settledAt: Float64Array;
  readonly #done: Uint8Array;
  readonly #touched: Set<number>[];
  readonly #taken: Set<number>[];
  /** Sessions active at each event, as differences: event i's count is the sum of the first i + 1 entries (one more entry than events). */
  readonly #activeFrom: Float64Array;
  readonly #returned: Float64Array;
  readonly #moved: Float64Array;
  readonly #mustMove: Float64Array;
  readonly #balanced: Float64Array;
  readonly #lost: Record<TopologyCause, Float64Array>;
  /** Drain progress per event: the longest time a drained server took to empty, and whether one never did. */
  readonly #emptiedAfter: Float64Array;
  readonly #drains: Int32Array;
  readonly #neverEmptied: Uint8Array;
  /** Per server: the event draining it (-1: none), since when, and since when it has held no session in use (-1: it holds some). */
  readonly #watching: Int32Array;
  readonly #drainSince: Float64Array;
  readonly #emptySince: Float64Array;
  /** Events applied so far; a session's interval is matched only against those. */
  #applied = 0;

  constructor(world: World, idleTimeout: number) {
    this.#world = world;
    this.#idleTimeout = idleTimeout;
    const events = world.scenario.events, n = events.length;
    this.#at = Float64Array.from(events, (e) => e.at);
    this.#group = Int32Array.from(events, (e, i) => (i > 0 && events[i - 1].at === e.at ? -1 : i));
    for (let i = 1; i < n; i++) if (this.#group[i] < 0) this.#group[i] = this.#group[i - 1];
    this.#settledAt = new Float64Array(n).fill(Infinity);
    this.#done = new Uint8Array(n);
    this.#touched = events.map(() => new Set());
    this.#taken = events.map(() => new Set());
    this.#activeFrom = new Float64Array(n + 1);
    this.#returned = new Float64Array(n);
    this.#moved = new Float64Array(n);
    this.#mustMove = new Float64Array(n);
    this.#balanced = new Float64Array(n).fill(NaN);
    this.#lost = Object.fromEntries(topologyCauses.map((c) => [c, new Float64Array(n)])) as Record<TopologyCause, Float64Array>;
    this.#emptiedAfter = new Float64Array(n);
    this.#drains = new Int32Array(n);
    this.#neverEmptied = new Uint8Array(n);
    const capacity = world.servers?.capacity ?? 0;
    this.#watching = new Int32Array(capacity).fill(-1);
    this.#drainSince = new Float64Array(capacity);
    this.#emptySince = new Float64Array(capacity);
  }

  /** Event `index` (in time order) is being applied; `touched` are the servers it concerns. */
  applied(index: number, touched: readonly number[]): void {
    for (const s of touched) this.#touched[index].add(s);
    this.#applied = index + 1;
  }

  /** Event `index` took `server` away: sessions on it must move. */
  takenAway(index: number, server: number): void {
    this.#endDrain(server);
    if (index < 0) return;
    this.#taken[index].add(server);
    this.#touched[index].add(server);
  }

  /** Event `index` has taken effect at `now`; its group is settled once every member is. */
  settled(index: number, now: number): void {
    if (this.#done[index]) return;
    this.#done[index] = 1;
    this.#settledAt[index] = now;
    const first = this.#group[index];
    let last = first, latest = 0;
    for (; last < this.#done.length && this.#group[last] === first; last++) {
      if (!this.#done[last]) return;
      latest = Math.max(latest, this.#settledAt[last]);
    }
    for (let i = first; i < last; i++) this.#settledAt[i] = latest;
  }

  /** Whether event `index` has taken effect. */
  isSettled(index: number): boolean {
    return this.#done[index] === 1;
  }

  /** The share of weight a balanced strategy must move for the event: how much the accepting servers' weight shares grew in all. */
  balanced(index: number, share: number): void {
    this.#balanced[index] = share;
  }

  /** A drain by event `index` began on `server`, which holds `sessions` sessions in use. */
  drainStarted(index: number, server: number, sessions: number, now: number): void {
    if (index < 0) return;
    this.#drains[index]++;
    this.#watching[server] = index;
    this.#drainSince[server] = now;
    this.#emptySince[server] = sessions === 0 ? now : -1;
  }

  /** `server` holds no session in use any more. */
  serverEmptied(server: number, now: number): void {
    if (this.#watching[server] >= 0) this.#emptySince[server] = now;
  }

  /** `server` holds a session in use again (a bound user came back to a draining server). */
  serverFilled(server: number): void {
    if (this.#watching[server] >= 0) this.#emptySince[server] = -1;
  }

  /** A drained server's drain is over (its deadline, or the end of the run): how long it took to empty for good, if it did. */
  #endDrain(server: number): void {
    const index = this.#watching[server];
    if (index < 0) return;
    this.#watching[server] = -1;
    if (this.#emptySince[server] < 0) this.#neverEmptied[index] = 1;
    else this.#emptiedAfter[index] = Math.max(this.#emptiedAfter[index], this.#emptySince[server] - this.#drainSince[server]);
  }

  /**
   * The live interval of `slot`'s session closes at `now`: it is used again (served by
   * `server`, -1 when it ends instead: cleared, abandoned, the run over). Every event applied
   * while it was live counts it as active (two binary searches and two increments, however
   * many events that is). Returns the event a loss at this request is charged to, or -1.
   */
  close(slot: number, now: number, server: number): number {
    const applied = this.#applied;
    if (applied === 0) return -1;
    const at = this.#at, t = this.#world.clients, since = t.sessionLastSeen[slot], pending = t.judgeEvent[slot];
    if (pending < 0 && at[applied - 1] <= since) return -1;
    let last = -1;
    if (at[applied - 1] > since) {
      // The applied events in (since, until] count the session as active: +1 from the first, −1 after the last.
      const first = firstAfter(at, applied, since), end = firstAfter(at, applied, Math.min(now, since + this.#idleTimeout));
      if (end > first) {
        this.#activeFrom[first]++;
        this.#activeFrom[end]--;
        last = end - 1;
      }
    }
    if (pending >= 0) {
      if (last < 0 && server >= 0 && this.#settledAt[pending] <= now) {
        this.#judge(pending, t.judgeFrom[slot], server);
        t.judgeEvent[slot] = -1;
        return pending;
      }
      // Not back before the next event, or gone: it did not return for that event.
      if (last >= 0 || server < 0) t.judgeEvent[slot] = -1;
      else return pending;
    }
    if (last < 0 || server < 0) return -1;
    const previous = t.sessionServer[slot];
    const event = this.#credited(last, previous);
    if (this.#settledAt[event] <= now) this.#judge(event, previous, server);
    else {
      t.judgeEvent[slot] = event;
      t.judgeFrom[slot] = previous;
    }
    return event;
  }

  /**
   * `slot`'s session was lost because of event `index` (-1: of none). Only sessions live at the
   * event count (one begun later, during a long deploy, is not among its active sessions), each
   * once, by its first cause.
   */
  lost(slot: number, index: number, cause: TopologyCause): void {
    const t = this.#world.clients;
    if (index < 0 || t.lostFor[slot] === index + 1 || t.sessionStartedAt[slot] > this.#at[index]) return;
    t.lostFor[slot] = index + 1;
    this.#lost[cause][index]++;
  }

  /** Of the events in `last`'s group, the one that concerns `server`, else `last`. */
  #credited(last: number, server: number): number {
    for (let i = this.#group[last]; i <= last; i++) if (this.#touched[i].has(server)) return i;
    return last;
  }

  #judge(event: number, from: number, server: number): void {
    this.#returned[event]++;
    if (server !== from) this.#moved[event]++;
    if (this.#taken[event].has(from)) this.#mustMove[event]++;
  }

  /** Every event's figures, fractions included (null where no session returned, or was active). */
  results(): TopologyEventResult[] {
    for (let server = 0; server < this.#watching.length; server++) this.#endDrain(server);
    let active = 0;
    return this.#world.scenario.events.map((event, i) => {
      const returned = this.#returned[i];
      active += this.#activeFrom[i];
      const lostByCause = Object.fromEntries(topologyCauses.map((c) => [c, this.#lost[c][i]])) as Record<TopologyCause, number>;
      const lost = topologyCauses.reduce((sum, c) => sum + lostByCause[c], 0);
      const minimum = returned > 0 ? this.#mustMove[i] / returned : null;
      const balanced = Number.isNaN(this.#balanced[i]) ? null : this.#balanced[i];
      return {
        at: event.at,
        action: event.action,
        server: serverList(event.servers),
        activeSessions: active,
        returnedSessions: returned,
        movedSessions: this.#moved[i],
        remapFraction: returned > 0 ? this.#moved[i] / returned : null,
        minimumFraction: minimum,
        balancedFraction: balanced === null ? null : Math.max(balanced, minimum ?? 0),
        lostSessions: lost,
        lostFraction: active > 0 ? lost / active : null,
        lostByCause,
        emptiedAfter: this.#drains[i] > 0 && !this.#neverEmptied[i] ? this.#emptiedAfter[i] : null,
      };
    });
  }
}

/** Server names for the event table: the first few of a long list. */
function serverList(names: readonly string[]): string {
  return names.length <= 6 ? names.join(", ") : `${names.slice(0, 5).join(", ")}, … (${names.length} servers)`;
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
