import type { TopologyControl } from "./events/index.js";
import type { Requests } from "./requests.js";
import type { World } from "./world.js";

/**
 * Every change of a server's state goes through here, and from here to the parts that care: the
 * servers' running flag and crash count (the store reads it), the requests on the server, the
 * load windows. The balancer learns of a change only through its health checks.
 */
export class ServerLifecycle implements TopologyControl {
  readonly #world: World;
  readonly #requests: Requests;

  constructor(world: World, requests: Requests) {
    this.#world = world;
    this.#requests = requests;
  }

  /** The server stops: requests in service or queued there fail, and its memory is gone. */
  crash(server: number, now: number): void {
    const servers = this.#world.servers;
    if (!servers.up[server]) return;
    servers.up[server] = 0;
    servers.epoch[server]++;
    this.#world.metrics.serverDown(server);
    this.#requests.failAll(server, now);
  }

  recover(server: number): void {
    this.#world.servers.up[server] = 1;
  }

  setWeight(server: number, weight: number): void {
    this.#world.balancer.setWeight(server, weight);
  }
}
