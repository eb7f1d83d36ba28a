import type { Kind } from "../engine/engine.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/**
 * The balancer's active health checks: every server is checked every `interval`, the first
 * checks of the initial servers staggered evenly over one interval (as HAProxy starts them), a
 * server added later first checked one interval after it joins. A check passes when the server
 * accepts connections. Checks of a removed server stop. Each balancer replica checks on its own,
 * `interval / replicas` after the previous replica (they started at different moments), so replicas can disagree
 * about a server for a while after it changes; how long they disagree is measured.
 */
export class HealthChecks {
  /** Told when a check changed what a balancer replica believes about a server. */
  onChange: (server: number, now: number) => void = () => {};
  readonly #world: World;
  readonly #interval: number;
  readonly #capacity: number;
  readonly #CHECK: Kind;
  /** Servers the replicas disagree about now, and since when they disagree about any. */
  #disagreeing = 0;
  readonly #differs: Uint8Array;
  #since = 0;
  /** Seconds of disagreement inside the measured interval so far. */
  #disagreed = 0;

  constructor(world: World) {
    this.#world = world;
    this.#interval = world.scenario.balancer.healthCheck.interval;
    this.#capacity = world.servers.capacity;
    this.#differs = new Uint8Array(this.#capacity);
    this.#CHECK = world.engine.on(this.#check);
  }

  /** Schedules the first checks of the servers that exist at the start. */
  start(): void {
    const n = this.#world.servers.size, replicas = this.#world.balancers.length;
    for (let r = 0; r < replicas; r++)
      for (let server = 0; server < n; server++) this.#world.engine.at((this.#interval * server) / n + (this.#interval * r) / replicas, this.#CHECK, r * this.#capacity + server);
  }

  /** Starts checking a server that has just joined. */
  watch(server: number, now: number): void {
    const replicas = this.#world.balancers.length;
    for (let r = 0; r < replicas; r++) this.#world.engine.at(now + this.#interval + (this.#interval * r) / replicas, this.#CHECK, r * this.#capacity + server);
  }

  /** Seconds the replicas disagreed about some server between `from` and `until` (the measured interval). */
  disagreementSeconds(from: number, until: number): number {
    if (this.#disagreeing > 0) this.#close(until, from, until);
    return this.#disagreed;
  }

  readonly #check = (subject: number, now: number): void => {
    const { balancers, servers, engine } = this.#world;
    const replica = Math.floor(subject / this.#capacity), server = subject - replica * this.#capacity;
    if (servers.state[server] === ServerState.Removed) return;
    if (balancers[replica].check(server, servers.up[server] === 1)) {
      if (balancers.length > 1) this.#compare(server, now);
      this.onChange(server, now);
    }
    engine.at(now + this.#interval, this.#CHECK, subject);
  };

  /** Whether the replicas now disagree about `server`; the time any disagree is added up. */
  #compare(server: number, now: number): void {
    const balancers = this.#world.balancers, first = balancers[0].pool.eligible[server];
    const differs = balancers.some((b) => b.pool.eligible[server] !== first) ? 1 : 0;
    if (differs === this.#differs[server]) return;
    this.#differs[server] = differs;
    if (differs && this.#disagreeing++ === 0) this.#since = now;
    if (!differs && --this.#disagreeing === 0) this.#close(now, this.#world.scenario.warmup, this.#world.scenario.duration);
  }

  #close(now: number, from: number, until: number): void {
    this.#disagreed += Math.max(0, Math.min(now, until) - Math.max(this.#since, from));
    this.#since = now;
  }
}
