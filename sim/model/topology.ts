import type { Kind } from "../engine/engine.js";
import { InvariantError } from "../engine/invariant.js";
import { findEvent, type CompiledEvent, type EventDef } from "./events/index.js";
import type { ServerLifecycle } from "./lifecycle.js";
import type { RemapTracker } from "./remap-tracker.js";
import type { Deployments } from "./rolling-deploy.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/**
 * The scenario's events: each is applied through the server lifecycle at its time, and the
 * remap tracker is told when it has taken effect: when every server it concerns is at rest
 * (not starting, not draining, no deploy running over it) and the balancer's health checks agree
 * with it, or when a later event comes. At that point the share a balanced strategy must move
 * is measured: how much the accepting servers' weight shares grew in all.
 */
export class Topology {
  readonly #world: World;
  readonly #control: ServerLifecycle;
  readonly #tracker: RemapTracker;
  readonly #deployments: Deployments;
  /** The definition of each scenario event, in the scenario's (time) order. */
  readonly #defs: EventDef[];
  readonly #compiled: CompiledEvent[];
  /** Events applied and not yet taken effect, the servers each concerns, and the weight shares before each. */
  readonly #unsettled: number[] = [];
  readonly #touched: number[][];
  readonly #sharesBefore: Float64Array[];
  readonly #EVENT: Kind;

  constructor(world: World, control: ServerLifecycle, tracker: RemapTracker, deployments: Deployments) {
    this.#world = world;
    this.#control = control;
    this.#tracker = tracker;
    this.#deployments = deployments;
    const events = world.scenario.events;
    this.#defs = events.map((event) => findEvent(event.action) ?? missing(event.action, event.at));
    this.#compiled = events.map((e) => ({ value: e.value, options: e.options, data: e.data, servers: e.servers }));
    this.#touched = events.map(() => []);
    this.#sharesBefore = events.map(() => new Float64Array(0));
    this.#EVENT = world.engine.on(this.#event);
  }

  /** Schedules the scenario's events. */
  start(): void {
    this.#world.scenario.events.forEach((event, i) => this.#world.engine.at(event.at, this.#EVENT, i));
  }

  /** Something changed that events may be waiting for; those now at rest have taken effect. */
  reconsider(now: number): void {
    for (let k = 0; k < this.#unsettled.length; k++) {
      const index = this.#unsettled[k];
      if (!this.#atRest(index)) continue;
      this.#settle(index, now);
      this.#unsettled.splice(k--, 1);
    }
  }

  readonly #event = (index: number, now: number): void => {
    const at = this.#world.scenario.events[index].at;
    // A later event ends the wait of every earlier one.
    for (let k = 0; k < this.#unsettled.length; k++) {
      const earlier = this.#unsettled[k];
      if (this.#world.scenario.events[earlier].at >= at) continue;
      this.#settle(earlier, now);
      this.#unsettled.splice(k--, 1);
    }
    this.#sharesBefore[index] = this.#shares();
    this.#control.event = index;
    this.#defs[index].apply(this.#control, this.#compiled[index], now);
    this.#control.event = -1;
    const touched = this.#compiled[index].servers.map((name) => this.#control.server(name)).filter((s) => s >= 0);
    this.#touched[index] = touched;
    // After the change: sessions that ended because of it (their user's visit ended with a
    // failed request) were not live at it.
    this.#tracker.applied(index, touched);
    this.#unsettled.push(index);
    this.reconsider(now);
  };

  #atRest(index: number): boolean {
    const { servers, balancers } = this.#world;
    if (this.#deployments.running(index)) return false;
    for (const s of this.#touched[index]) {
      const state = servers.state[s];
      // A drain has taken effect once the balancer stopped giving the server new sessions; what its deadline later loses is charged to it all the same.
      if (state === ServerState.Starting) return false;
      if (!balancers.every((balancer) => balancer.agrees(s, servers.up[s] === 1))) return false;
    }
    return true;
  }

  #settle(index: number, now: number): void {
    const before = this.#sharesBefore[index], after = this.#shares();
    let grown = 0;
    for (let s = 0; s < after.length; s++) grown += Math.max(0, after[s] - (s < before.length ? before[s] : 0));
    this.#tracker.balanced(index, grown);
    this.#tracker.settled(index, now);
  }

  /** Each server's share of the accepting servers' weight. */
  #shares(): Float64Array {
    const { size, weights, accepting } = this.#world.balancer.pool;
    const shares = new Float64Array(size);
    let total = 0;
    for (let s = 0; s < size; s++) total += accepting[s] ? weights[s] : 0;
    if (total > 0) for (let s = 0; s < size; s++) shares[s] = accepting[s] ? weights[s] / total : 0;
    return shares;
  }
}

/** A validated scenario names only registered events; anything else is a bug. */
function missing(action: string, at: number): never {
  throw new InvariantError(`event kind ${JSON.stringify(action)} is not registered`, at, "setup");
}
