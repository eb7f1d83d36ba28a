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
    if (!servers.running[server]) return;
    servers.halt(server, "serverCrash");
    this.#world.metrics.serverDown(server);
    this.#requests.failAll(server, now);
  }

  recover(server: number): void {
    this.#world.servers.start(server);
  }

  /**
   * A planned stop: the server closes its listener at once (new connections are refused, so
   * health checks fail), answers what it has accepted, then exits and its memory is gone.
   */
  stop(server: number): void {
    const servers = this.#world.servers;
    servers.up[server] = 0;
    servers.stopping[server] = 1;
    this.#world.metrics.serverDown(server);
    if (servers.active[server] === 0) servers.halt(server, "serverStopped");
  }

  start(server: number): void {
    this.#world.servers.start(server);
  }

  setWeight(server: number, weight: number): void {
    this.#world.balancer.setWeight(server, weight);
  }
}
