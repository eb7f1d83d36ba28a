import type { Kind } from "../engine/engine.js";
import type { DeployPlan } from "./events/index.js";
import type { ServerLifecycle } from "./lifecycle.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/** One deploy in progress. */
interface Deploy {
  event: number;
  plan: DeployPlan;
  /** Old servers, and which of them have been scaled down (told to drain). */
  old: number[];
  down: Uint8Array;
  scaledDown: number;
  /** Replacements created so far (indices; in place, the old server itself once it is restarted). */
  replacements: number[];
}

/**
 * Rolling deploys, as a Kubernetes Deployment's `RollingUpdate` runs them (pkg/controller/
 * deployment/rolling.go, `rolloutRolling`): on every change, scale the new servers up while the
 * total stays within N + maxSurge, then scale old servers down while at least N − maxUnavailable
 * are available, unhealthy old ones first. "Available" is "passed the balancer's health checks"
 * (a readiness gate on the load-balancer target). A scaled-down server drains for `drain`, then
 * stops; in place, the same server then restarts after `restart` instead of a new one joining.
 * Old servers are taken in the scenario's order (Kubernetes ranks identical pods by age, then
 * at random).
 */
export class Deployments {
  /** Told when a deploy has finished. */
  onFinished: (now: number) => void = () => {};
  readonly #world: World;
  readonly #control: ServerLifecycle;
  readonly #deploys: Deploy[] = [];
  /** Per server: the deploy restarting it in place (index into #deploys), for the restart event. */
  readonly #restarting: Int32Array;
  readonly #RESTART: Kind;

  constructor(world: World, control: ServerLifecycle) {
    this.#world = world;
    this.#restarting = new Int32Array(world.servers.capacity);
    this.#control = control;
    this.#RESTART = world.engine.on(this.#restart);
  }

  start(event: number, plan: DeployPlan, now: number): void {
    const old = plan.old.map((name) => this.#control.server(name));
    this.#deploys.push({ event, plan, old, down: new Uint8Array(old.length), scaledDown: 0, replacements: [] });
    this.#sync(this.#deploys.length - 1, now);
  }

  /** Whether the deploy started by scenario event `event` is still running. */
  running(event: number): boolean {
    const d = this.#deploys.find((x) => x.event === event);
    if (!d) return false;
    const { servers } = this.#world;
    return d.scaledDown < d.old.length || this.#available(d.replacements) < d.old.length || d.old.some((s) => servers.state[s] === ServerState.Draining);
  }

  /** The balancer's belief about `server` changed: deploys waiting on it move on. */
  healthChanged(server: number, now: number): void {
    this.#deploys.forEach((d, i) => {
      if (d.old.includes(server) || d.replacements.includes(server)) this.#sync(i, now);
    });
  }

  #available(list: readonly number[]): number {
    const { servers, balancers } = this.#world;
    let n = 0;
    // Available once every balancer replica's health checks have passed it.
    for (const s of list) if (servers.state[s] === ServerState.Up && balancers.every((b) => b.pool.eligible[s] === 1)) n++;
    return n;
  }

  #sync(index: number, now: number): void {
    const d = this.#deploys[index];
    const outer = this.#control.event;
    this.#control.event = d.event;
    // Each step can make room for the other (a scaled-down server lets a replacement join).
    while (this.#scaleUp(d, now) + this.#scaleDown(d, now) > 0);
    this.#control.event = outer;
    if (!this.running(d.event)) this.onFinished(now);
  }

  /** New servers join while the total stays within N + maxSurge (in place, they are the old servers restarted: nothing joins). */
  #scaleUp(d: Deploy, now: number): number {
    const n = d.old.length;
    if (d.plan.inPlace) return 0;
    const total = n - d.scaledDown + d.replacements.length;
    const up = Math.max(0, Math.min(n + d.plan.maxSurge - total, n - d.replacements.length));
    for (let k = 0; k < up; k++) {
      const i = d.replacements.length, weight = this.#world.servers.specs[d.old[i]].weight;
      d.replacements.push(this.#control.add(d.plan.replacement[i], weight, d.plan.restart, now));
    }
    return up;
  }

  /** Old servers leave while at least N − maxUnavailable stay available: unhealthy ones first, then healthy ones. */
  #scaleDown(d: Deploy, now: number): number {
    const n = d.old.length, newDesired = d.plan.inPlace ? d.scaledDown : d.replacements.length;
    const total = n - d.scaledDown + newDesired, newAvailable = this.#available(d.replacements);
    const minAvailable = n - d.plan.maxUnavailable;
    const maxDown = total - minAvailable - (newDesired - newAvailable);
    if (maxDown <= 0) return 0;
    const remaining = d.old.filter((_, k) => !d.down[k]);
    const unhealthy = remaining.filter((s) => this.#available([s]) === 0).slice(0, maxDown);
    for (const s of unhealthy) this.#retire(d, s, now);
    const healthy = remaining.filter((s) => !unhealthy.includes(s));
    const room = Math.min(healthy.length, this.#available(healthy) + this.#available(d.replacements) - minAvailable);
    for (let k = 0; k < room; k++) this.#retire(d, healthy[k], now);
    return unhealthy.length + Math.max(0, room);
  }

  #retire(d: Deploy, server: number, now: number): void {
    const k = d.old.indexOf(server);
    d.down[k] = 1;
    d.scaledDown++;
    const { plan } = d;
    if (!plan.inPlace) return this.#control.drain(server, plan.drain, true, now);
    d.replacements.push(server);
    if (this.#world.servers.state[server] === ServerState.Up) this.#control.drain(server, plan.drain, false, now);
    else this.#control.stop(server, now);
    this.#restarting[server] = this.#deploys.indexOf(d);
    this.#world.engine.at(now + plan.drain + plan.restart, this.#RESTART, server);
  }

  readonly #restart = (server: number, now: number): void => {
    const index = this.#restarting[server], d = this.#deploys[index];
    const outer = this.#control.event;
    this.#control.event = d.event;
    this.#control.start(server, now);
    this.#control.event = outer;
    // A restart quicker than `fall` failed checks leaves the balancer's belief unchanged: the server is
    // available again at once and no health check will change to move the deploy on, so look now.
    this.#sync(index, now);
  };
}
