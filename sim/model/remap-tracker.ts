import type { TopologyEventResult } from "../metrics/result.js";
import type { World } from "./world.js";

/**
 * What each topology event did to the sessions live at it: how many came back, how many of those
 * were routed to another server than before, and how many had to move because their server was
 * taken away. A session's move is judged at its first served request after the event.
 */
export class RemapTracker {
  readonly #world: World;
  /** Per event: the server it takes away (-1 for none), and the returning sessions that were on it. */
  readonly #removed: number[] = [];
  readonly #mustMove: number[] = [];

  constructor(world: World) {
    this.#world = world;
  }

  /** Records event `index` (taking away `removed`, or -1) with the live sessions in `slots` marked as pending. */
  begin(index: number, at: number, action: string, server: number, removed: number, active: number): void {
    this.#removed[index] = removed;
    this.#mustMove[index] = 0;
    this.#world.metrics.events[index] = {
      at,
      action,
      server: this.#world.scenario.servers.list[server].name,
      activeSessions: active,
      returnedSessions: 0,
      movedSessions: 0,
      remapFraction: 0,
      minimumFraction: 0,
    };
  }

  /** A session pending on event `index` was served by `server`; it was on `previous` before. */
  returned(index: number, server: number, previous: number): void {
    const counts = this.#world.metrics.events[index];
    counts.returnedSessions++;
    if (server !== previous) counts.movedSessions++;
    if (previous === this.#removed[index]) this.#mustMove[index]++;
  }

  /** Every event's figures, fractions included (null where no session returned). */
  results(): TopologyEventResult[] {
    return this.#world.metrics.events.map((ev, i) => ({
      ...ev,
      remapFraction: ev.returnedSessions > 0 ? ev.movedSessions / ev.returnedSessions : null,
      minimumFraction: ev.returnedSessions > 0 ? this.#mustMove[i] / ev.returnedSessions : null,
    }));
  }
}
