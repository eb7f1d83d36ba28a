import type { Kind } from "../engine/engine.js";
import { InvariantError } from "../engine/invariant.js";
import { findEvent, type EventDef, type TopologyControl } from "./events/index.js";
import type { RemapTracker } from "./remap-tracker.js";
import type { World } from "./world.js";

/**
 * The scenario's events and the balancer's health checks: each event is applied through the
 * server lifecycle at its time and its effect on the live sessions is tracked; every server is
 * checked every `interval`, the first checks staggered evenly over one interval (as HAProxy
 * starts them).
 */
export class Topology {
  readonly #world: World;
  readonly #control: TopologyControl;
  readonly #tracker: RemapTracker;
  /** The definition of each scenario event, in the scenario's (time) order. */
  readonly #defs: EventDef[];
  readonly #EVENT: Kind;
  readonly #HEALTH_CHECK: Kind;

  constructor(world: World, control: TopologyControl, tracker: RemapTracker) {
    this.#world = world;
    this.#control = control;
    this.#tracker = tracker;
    this.#defs = world.scenario.events.map((event) => {
      const def = findEvent(event.action);
      if (!def) throw new InvariantError(`event kind ${JSON.stringify(event.action)} is not registered`, event.at, "setup");
      return def;
    });
    this.#HEALTH_CHECK = world.engine.on(this.#healthCheck);
    this.#EVENT = world.engine.on(this.#event);
  }

  /** Schedules the first health checks, then the scenario's events. */
  start(): void {
    const { engine, servers, scenario } = this.#world;
    const interval = scenario.balancer.healthCheck.interval, n = servers.size;
    for (let server = 0; server < n; server++) engine.at((interval * server) / n, this.#HEALTH_CHECK, server);
    scenario.events.forEach((event, i) => engine.at(event.at, this.#EVENT, i));
  }

  readonly #healthCheck = (server: number, now: number): void => {
    const { balancer, servers, engine, scenario } = this.#world;
    balancer.check(server, servers.up[server] === 1);
    engine.at(now + scenario.balancer.healthCheck.interval, this.#HEALTH_CHECK, server);
  };

  readonly #event = (index: number, now: number): void => {
    const event = this.#world.scenario.events[index], def = this.#defs[index];
    def.apply(this.#control, event, now);
    // After the change: sessions that ended because of it (their user's visit ended with a
    // failed request) were not live at it.
    this.#tracker.applied(index, def.takesAway ? event.server : -1);
  };
}
