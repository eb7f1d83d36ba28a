import type { Kind } from "../engine/engine.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/**
 * The balancer's active health checks: every server is checked every `interval`, the first
 * checks of the initial servers staggered evenly over one interval (as HAProxy starts them), a
 * server added later first checked one interval after it joins. A check passes when the server
 * accepts connections. Checks of a removed server stop.
 */
export class HealthChecks {
  /** Told when a check changed what the balancer believes about a server. */
  onChange: (server: number, now: number) => void = () => {};
  readonly #world: World;
  readonly #interval: number;
  readonly #CHECK: Kind;

  constructor(world: World) {
    this.#world = world;
    this.#interval = world.scenario.balancer.healthCheck.interval;
    this.#CHECK = world.engine.on(this.#check);
  }

  /** Schedules the first checks of the servers that exist at the start. */
  start(): void {
    const n = this.#world.servers.size;
    for (let server = 0; server < n; server++) this.#world.engine.at((this.#interval * server) / n, this.#CHECK, server);
  }

  /** Starts checking a server that has just joined. */
  watch(server: number, now: number): void {
    this.#world.engine.at(now + this.#interval, this.#CHECK, server);
  }

  readonly #check = (server: number, now: number): void => {
    const { balancer, servers, engine } = this.#world;
    if (servers.state[server] === ServerState.Removed) return;
    if (balancer.check(server, servers.up[server] === 1)) this.onChange(server, now);
    engine.at(now + this.#interval, this.#CHECK, server);
  };
}
