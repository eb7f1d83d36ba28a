import type { Kind } from "../engine/engine.js";
import type { LostCause } from "../metrics/causes.js";
import type { StoreSpec } from "../scenario/store-schema.js";
import type { DeployPlan, TopologyControl, TrafficChange } from "./events/index.js";
import type { HealthChecks } from "./health-checks.js";
import type { Requests } from "./requests.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/** What the lifecycle tells besides the servers, the balancer and the metrics. */
export interface LifecycleListeners {
  /** A server was taken away (crashed, stopped, drained to its deadline, removed) by scenario event `event` (-1: none). */
  takenAway(event: number, server: number): void;
  /** A server started (at the start, after a recovery, once added): random failures count from here. */
  started(server: number, now: number): void;
  /** Something finished that an event was waiting for (a drain's deadline, a start-up). */
  settled(now: number): void;
  /** A drain began on a server, for its progress. */
  drainStarted(event: number, server: number, now: number): void;
  traffic(change: TrafficChange, now: number): void;
  deploy(event: number, plan: DeployPlan, now: number): void;
  /** Scenario event `event` changes where sessions live, or the balancer's strategy. */
  store(event: number, store: StoreSpec | string, dualWrite: boolean, now: number): void;
  strategy(event: number, id: string, options: unknown, now: number): void;
  reload(event: number, hardStopAfter: number, now: number): void;
}

/**
 * Every change of a server's state goes through here, and from here to the parts that care: the
 * servers' state (the store reads their memory epochs), the requests on the server, the
 * balancer's administrative state (drains, additions, removals), the health checks, the load
 * windows and, through the listeners, the remap tracking and the deploys. The balancer learns
 * of a crash or a start only through its health checks. A change that does not apply to the
 * server's state at run time (a random failure got there first) does nothing.
 */
export class ServerLifecycle implements TopologyControl {
  /** The scenario event being applied, -1 outside one (a random failure, a deploy's later steps set it themselves). */
  event = -1;
  listeners!: LifecycleListeners;
  readonly #world: World;
  readonly #requests: Requests;
  readonly #checks: HealthChecks;
  /** Bumped on every state change of a server, so a deadline or start-up scheduled before it is stale. */
  readonly #gen: Uint8Array;
  /** Per server: the event that drained it, and whether the drain ends in removal. */
  readonly #drainEvent: Int32Array;
  readonly #drainRemoves: Uint8Array;
  readonly #DEADLINE: Kind;
  readonly #STARTED: Kind;

  constructor(world: World, requests: Requests, checks: HealthChecks) {
    this.#world = world;
    this.#requests = requests;
    this.#checks = checks;
    const capacity = world.servers.capacity;
    this.#gen = new Uint8Array(capacity);
    this.#drainEvent = new Int32Array(capacity).fill(-1);
    this.#drainRemoves = new Uint8Array(capacity);
    this.#DEADLINE = world.engine.on(this.#deadline);
    this.#STARTED = world.engine.on(this.#started);
  }

  server(name: string): number {
    return this.#world.servers.indexOf(name);
  }

  /** The server stops at once: requests in service or queued there fail, and its memory is gone. */
  crash(server: number, now: number): void {
    const servers = this.#world.servers, state = servers.state[server];
    if (state !== ServerState.Starting && !servers.running[server]) return;
    this.#gen[server]++;
    servers.halt(server, "serverCrash", this.event, now);
    this.#world.metrics.serverDown(server);
    this.#requests.failAll(server, now);
    this.listeners.takenAway(this.event, server);
  }

  recover(server: number, now: number): void {
    this.start(server, now);
  }

  /**
   * A planned stop: the server closes its listener at once (new connections are refused, so
   * health checks fail), answers what it has accepted, then exits and its memory is gone.
   */
  stop(server: number, now: number, cause: LostCause = "serverStopped"): void {
    const servers = this.#world.servers, state = servers.state[server];
    if (state === ServerState.Starting) return this.crash(server, now);
    if (state !== ServerState.Up && state !== ServerState.Draining) return;
    this.#gen[server]++;
    servers.up[server] = 0;
    servers.stopping[server] = 1;
    servers.stopCause[server] = cause;
    servers.stopEvent[server] = this.event;
    servers.state[server] = ServerState.Down;
    this.#world.metrics.serverDown(server);
    servers.cutConnections?.(server, now);
    if (this.#requests.holdsNothing(server)) servers.halt(server, cause, this.event, now);
    this.listeners.takenAway(this.event, server);
  }

  /** A stopped or crashed server starts, empty; one still answering what it accepted before a stop exits first. */
  start(server: number, now: number): void {
    const servers = this.#world.servers, state = servers.state[server];
    if (state !== ServerState.Down) return;
    if (servers.running[server]) {
      this.#requests.failAll(server, now);
      servers.halt(server, servers.stopCause[server], servers.stopEvent[server], now);
    }
    this.#gen[server]++;
    servers.start(server);
    for (const balancer of this.#world.balancers) balancer.drain(server, false);
    this.listeners.started(server, now);
  }

  setWeight(server: number, weight: number): void {
    for (const balancer of this.#world.balancers) balancer.setWeight(server, weight);
  }

  /** The balancer gives the server no new sessions; at the deadline it stops (and is removed, with `remove`). */
  drain(server: number, deadline: number, remove: boolean, now: number): void {
    const servers = this.#world.servers;
    if (servers.state[server] !== ServerState.Up) {
      if (remove) this.remove(server, now);
      return;
    }
    servers.state[server] = ServerState.Draining;
    for (const balancer of this.#world.balancers) balancer.drain(server, true);
    this.#world.metrics.serverDown(server);
    this.#drainEvent[server] = this.event;
    this.#drainRemoves[server] = remove ? 1 : 0;
    this.#world.engine.at(now + deadline, this.#DEADLINE, server * 256 + ++this.#gen[server]);
    this.listeners.drainStarted(this.event, server, now);
  }

  readonly #deadline = (subject: number, now: number): void => {
    const server = subject >>> 8;
    if ((subject & 255) !== this.#gen[server] || this.#world.servers.state[server] !== ServerState.Draining) return;
    const outer = this.event;
    this.event = this.#drainEvent[server];
    if (this.#drainRemoves[server]) this.#remove(server, now, "drainDeadline");
    else this.stop(server, now, "drainDeadline");
    this.event = outer;
    this.listeners.settled(now);
  };

  /**
   * A draining server went down before its deadline (a random failure): its drain is over. It
   * stays down, as it would have at the deadline, and leaves the pool now if the drain was to end
   * in its removal.
   */
  drainCutShort(server: number, now: number): void {
    if (this.#world.servers.state[server] !== ServerState.Down) return;
    if (this.#drainRemoves[server]) this.#remove(server, now, "serverCrash");
    this.listeners.settled(now);
  }

  /** The server leaves the pool for good: it answers what it has accepted, then stops. */
  remove(server: number, now: number): void {
    this.#remove(server, now, "serverStopped");
  }

  #remove(server: number, now: number, cause: LostCause): void {
    const servers = this.#world.servers;
    if (servers.state[server] === ServerState.Removed) return;
    this.stop(server, now, cause);
    this.#gen[server]++;
    servers.state[server] = ServerState.Removed;
    for (const balancer of this.#world.balancers) balancer.remove(server);
    this.#world.metrics.serverLeft(server, now);
  }

  /** A new server joins, starting; it accepts connections after `startup` seconds. */
  add(name: string, weight: number, startup: number, now: number): number {
    const { servers, balancers, metrics, engine } = this.#world;
    const server = servers.create(name, weight);
    for (const balancer of balancers) balancer.add(servers.specs[server]);
    metrics.size = servers.size;
    metrics.serverJoined(server, now);
    this.#checks.watch(server, now);
    if (startup > 0) engine.at(now + startup, this.#STARTED, server * 256 + ++this.#gen[server]);
    else this.#start(server, now);
    return server;
  }

  readonly #started = (subject: number, now: number): void => {
    const server = subject >>> 8;
    if ((subject & 255) !== this.#gen[server] || this.#world.servers.state[server] !== ServerState.Starting) return;
    this.#start(server, now);
    this.listeners.settled(now);
  };

  #start(server: number, now: number): void {
    this.#world.servers.start(server);
    this.listeners.started(server, now);
  }

  traffic(change: TrafficChange, now: number): void {
    this.listeners.traffic(change, now);
  }

  deploy(plan: DeployPlan, now: number): void {
    this.listeners.deploy(this.event, plan, now);
  }

  storeOutage(seconds: number, now: number, node?: string): void {
    this.#world.store.outage?.(seconds, now, this.event, node);
  }

  storeRestart(seconds: number, now: number, node?: string, host = false): void {
    this.#world.store.restart?.(seconds, now, this.event, node, host);
  }

  changeStore(store: StoreSpec | string, dualWrite: boolean, now: number): void {
    this.listeners.store(this.event, store, dualWrite, now);
  }

  changeStrategy(id: string, options: unknown, now: number): void {
    this.listeners.strategy(this.event, id, options, now);
  }

  reload(now: number, hardStopAfter: number): void {
    this.listeners.reload(this.event, hardStopAfter, now);
  }
}
