import type { Kind } from "../engine/engine.js";
import { KeyedRandom } from "../engine/random.js";
import { ConnectionCollector, connectionSkew, SETTLED_SKEW } from "../metrics/connections.js";
import type { ConnectionMetrics } from "../metrics/result.js";
import { grown } from "./grown.js";
import { Messages } from "./messages.js";
import { reconnectPolicy, type ReconnectPolicy } from "./reconnect-policy.js";
import type { Requests } from "./requests.js";
import type { World } from "./world.js";

/** A user's connection in the current visit. */
const enum State {
  /** None yet: the next response of the visit opens one. */
  None = 0,
  Open = 1,
  /** Dropped or refused: an attempt is scheduled. */
  Waiting = 2,
  /** The client gave up for this visit. */
  GaveUp = 3,
}

/** Slots' arrays start this long and double, following the client table. */
const MIN_SLOTS = 1024;

/**
 * Long-lived connections (WebSockets). A share of users hold one connection per visit, opened by
 * an upgrade request the balancer routes after the visit's first response (the page's script
 * connects once the page has loaded) and pinned to that server: after the 101 a balancer only
 * relays bytes, so messages are never routed again (they are counted, or with `messageService`
 * simulated one by one at the server: messages.ts). A
 * connection ends with the visit, or is dropped when its server goes (crash, stop, drain
 * deadline, removal); the client then reconnects after its backoff, each attempt routed again.
 * Connections never move back by themselves, so a returned server stays short of them.
 *
 * An open connection counts in its server's `active` connections, which least-connection
 * balancers read: a tunnel is a connection to them like any request in flight.
 *
 * Per-slot state lives in typed arrays grown with the client table; per-server lists of open
 * connections are intrusive doubly linked lists, so opening, closing and dropping are O(1) each.
 */
export class Connections {
  /** Open connections per server. */
  readonly open: Int32Array;
  /** The messages they carry, when the scenario has them simulated one by one (`messageService`); null when only counted. */
  readonly messages: Messages | null;
  readonly #world: World;
  readonly #requests: Requests;
  readonly #metrics: ConnectionCollector;
  readonly #policy: ReconnectPolicy;
  readonly #fraction: number;
  readonly #limit: number;
  readonly #holds: KeyedRandom;
  readonly #jitter: KeyedRandom;
  readonly #ATTEMPT: Kind;
  readonly #CHECK: Kind;
  readonly #HARD_STOP: Kind;
  readonly #head: Int32Array;
  #state = new Uint8Array(0);
  /** 1 where the user holds a connection in its visits. */
  #uses = new Uint8Array(0);
  #gen = new Uint8Array(0);
  #server = new Int32Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  /** Attempts since the connection was last open, the delay before the last one, and jitter draws so far (the key of the next). */
  #attempt = new Int32Array(0);
  #delay = new Float64Array(0);
  #draws = new Int32Array(0);
  #openedAt = new Float64Array(0);
  /** Times of server returns whose connection skew has not settled yet, and whether a check is scheduled. */
  #returns: number[] = [];
  /** Times of the balancer's reloads, for their hard stops. */
  readonly #reloads: number[] = [];
  #checking = false;

  /** The users' connections; the servers tell them when a server closes its connections. */
  constructor(world: World, requests: Requests) {
    this.#world = world;
    this.#requests = requests;
    const { scenario } = world, { websocket } = scenario.clients;
    this.#metrics = new ConnectionCollector(scenario.warmup, scenario.duration, websocket.messagesPerSecond, world.metrics.timeline);
    this.#policy = reconnectPolicy(websocket.reconnect);
    this.#fraction = websocket.fraction;
    this.#limit = world.scenario.servers.maxConnections;
    this.#holds = new KeyedRandom(world.seed, world.purpose("websocket"));
    this.#jitter = new KeyedRandom(world.seed, world.purpose("reconnect"));
    this.open = new Int32Array(world.servers.capacity);
    this.#head = new Int32Array(world.servers.capacity).fill(-1);
    this.#ATTEMPT = world.engine.on(this.#attempted);
    this.#CHECK = world.engine.on(this.#check);
    this.#HARD_STOP = world.engine.on((reload, now) => this.cutOpenedBefore(this.#reloads[reload], now));
    world.servers.cutConnections = (server, now) => this.cut(server, now);
    this.messages = websocket.messageService === undefined ? null : new Messages(world);
    if (this.messages !== null) {
      this.messages.work = requests;
      requests.messages = this.messages;
    }
  }

  /** A new user in `slot`: whether it holds a connection in its visits is a fixed draw per user, the same for every strategy. */
  arrived(slot: number): void {
    if (slot >= this.#state.length) this.#grow(Math.max(MIN_SLOTS, this.#world.clients.capacity));
    this.#uses[slot] = this.#holds.at(this.#world.clients.uid[slot], 0) < this.#fraction ? 1 : 0;
    this.#state[slot] = this.#uses[slot] ? State.None : State.GaveUp;
    this.#server[slot] = -1;
    this.#draws[slot] = 0;
    this.#gen[slot]++;
    this.messages?.arrived(slot);
  }

  /** A response (or a failure) reached the user: the visit's first opens its connection. */
  responded(slot: number, now: number): void {
    if (this.#state[slot] === State.None) this.#connect(slot, now, false);
  }

  /** The visit ended: its connection closes (or its pending attempt is forgotten); the next visit opens a new one. */
  visitEnded(slot: number, now: number): void {
    if (this.#state[slot] === State.Open) {
      this.#unlink(slot);
      this.#metrics.closed(this.#openedAt[slot], now, false);
    }
    this.#gen[slot]++;
    this.#state[slot] = this.#uses[slot] ? State.None : State.GaveUp;
  }

  /** The server closes its connections (it stops, or its process is gone): each client starts its backoff. */
  cut(server: number, now: number): void {
    for (let slot = this.#head[server]; slot >= 0; ) {
      const next = this.#next[slot];
      this.#metrics.closed(this.#openedAt[slot], now, true);
      this.#server[slot] = -1;
      this.messages?.closed(slot);
      this.#attempt[slot] = 0;
      this.#wait(slot, now);
      slot = next;
    }
    this.#head[server] = -1;
    this.#world.servers.disconnected(server, this.open[server]);
    this.open[server] = 0;
  }

  /** The balancer reloaded at `now`; its old process cuts what it still relays `after` seconds later (Infinity: never). */
  hardStop(now: number, after: number): void {
    if (after === Infinity) return;
    this.#world.engine.at(now + after, this.#HARD_STOP, this.#reloads.length);
    this.#reloads.push(now);
  }

  /**
   * The balancer's old process, replaced by a reload at `reloadedAt`, stops: the connections it
   * still relays (opened before the reload) are cut, and each client starts its backoff.
   */
  cutOpenedBefore(reloadedAt: number, now: number): void {
    for (let server = 0; server < this.#world.servers.size; server++) {
      for (let slot = this.#head[server]; slot >= 0; ) {
        const next = this.#next[slot];
        if (this.#openedAt[slot] < reloadedAt) {
          this.#metrics.closed(this.#openedAt[slot], now, true);
          this.#unlink(slot);
          this.#attempt[slot] = 0;
          this.#wait(slot, now);
        }
        slot = next;
      }
    }
  }

  /** A server (re)started: from now on, how long do connections stay skewed without it? */
  serverStarted(now: number): void {
    const { warmup, duration } = this.#world.scenario;
    if (now <= warmup || now >= duration) return;
    this.#returns.push(now);
    if (!this.#checking) {
      this.#checking = true;
      this.#world.engine.at(now + 1, this.#CHECK, 0);
    }
  }

  /** A load window ended. */
  window(): void {
    this.#metrics.window(this.open, this.#world.servers.up, this.#world.servers.size);
  }

  metrics(): ConnectionMetrics {
    const figures = this.#metrics.metrics();
    return this.messages === null ? figures : { ...figures, ...this.messages.metrics() };
  }

  /** The run ended at `now`: connections still open carried messages until then; unsettled returns count until then. */
  finish(now: number): void {
    for (let server = 0; server < this.#world.servers.size; server++)
      for (let slot = this.#head[server]; slot >= 0; slot = this.#next[slot]) this.#metrics.closed(this.#openedAt[slot], now, false);
    for (const at of this.#returns) this.#metrics.returnSettled(at, now, false);
    this.#returns = [];
  }

  /** An upgrade request through the balancer: open on the server it picks, or wait and try again. */
  #connect(slot: number, now: number, reconnect: boolean): void {
    const { servers, scenario } = this.#world;
    this.#metrics.attempted(now, reconnect);
    const server = this.#requests.route(slot, now, -1);
    if (server >= 0 && servers.up[server] && this.open[server] < this.#limit) {
      this.#requests.keepCookie(slot, now);
      this.#link(slot, server, now);
      this.#metrics.opened(now, reconnect);
      return;
    }
    this.#metrics.refused(now);
    // A server that is down but still routed to is known only after the balancer's connection retries.
    const balancer = scenario.balancer;
    const known = server >= 0 && !servers.up[server] ? now + balancer.retries * balancer.retryDelay : now;
    this.#attempt[slot]++;
    this.#wait(slot, known);
  }

  /** Schedules the client's next attempt after its backoff from `now`, or gives up. */
  #wait(slot: number, now: number): void {
    const uid = this.#world.clients.uid[slot];
    const delay = this.#policy.delay(this.#attempt[slot], this.#jitter.at(uid, this.#draws[slot]++), this.#delay[slot]);
    this.#gen[slot]++;
    if (delay < 0) {
      this.#state[slot] = State.GaveUp;
      this.#metrics.gaveUp(now);
      return;
    }
    this.#delay[slot] = delay;
    this.#state[slot] = State.Waiting;
    const at = now + delay;
    if (at <= this.#world.scenario.duration) this.#world.engine.at(at, this.#ATTEMPT, slot * 256 + this.#gen[slot]);
  }

  readonly #attempted = (subject: number, now: number): void => {
    const slot = subject >>> 8;
    if ((subject & 255) === this.#gen[slot] && this.#state[slot] === State.Waiting) this.#connect(slot, now, true);
  };

  /** Every second while some return is unsettled: is connection skew back at or below the threshold? */
  readonly #check = (_: number, now: number): void => {
    const { servers, scenario, engine } = this.#world;
    const skew = connectionSkew(this.open, servers.up, servers.size);
    if (skew !== null && skew <= SETTLED_SKEW) {
      for (const at of this.#returns) this.#metrics.returnSettled(at, now, true);
      this.#returns = [];
      this.#checking = false;
    } else if (now + 1 <= scenario.duration) engine.at(now + 1, this.#CHECK, 0);
    else this.#checking = false;
  };

  #link(slot: number, server: number, now: number): void {
    const head = this.#head[server];
    this.#server[slot] = server;
    this.#prev[slot] = -1;
    this.#next[slot] = head;
    if (head >= 0) this.#prev[head] = slot;
    this.#head[server] = slot;
    this.open[server]++;
    this.#world.servers.connected(server);
    this.#openedAt[slot] = now;
    this.#attempt[slot] = 0;
    this.#state[slot] = State.Open;
    this.messages?.opened(slot, server, now);
  }

  #unlink(slot: number): void {
    const server = this.#server[slot], prev = this.#prev[slot], next = this.#next[slot];
    if (prev >= 0) this.#next[prev] = next;
    else this.#head[server] = next;
    if (next >= 0) this.#prev[next] = prev;
    this.#server[slot] = -1;
    this.open[server]--;
    this.#world.servers.disconnected(server);
    this.messages?.closed(slot);
  }

  #grow(size: number): void {
    this.#state = grown(this.#state, size);
    this.#uses = grown(this.#uses, size);
    this.#gen = grown(this.#gen, size);
    this.#server = grown(this.#server, size);
    this.#prev = grown(this.#prev, size);
    this.#next = grown(this.#next, size);
    this.#attempt = grown(this.#attempt, size);
    this.#delay = grown(this.#delay, size);
    this.#draws = grown(this.#draws, size);
    this.#openedAt = grown(this.#openedAt, size);
  }

}
