import type { Kind } from "../engine/engine.js";
import { InvariantError } from "../engine/invariant.js";
import { KeyedRandom } from "../engine/random.js";
import { genOf, slotOf } from "./clients.js";
import { compileDistribution, type Distribution } from "./distributions.js";
import type { Sessions } from "./sessions.js";
import type { Users } from "./users.js";
import { InstantStore } from "./stores/session-store.js";
import { messageJob, type Messages, type ServerWork } from "./messages.js";
import type { World } from "./world.js";

/**
 * The request path: the balancer routes a request, the server serves it with N workers and a
 * FIFO queue, the application reads the session at the start of service; a server that is down
 * refuses connections and the balancer retries, then answers 503.
 */
export class Requests implements ServerWork {
  /** Messages simulated one by one over long-lived connections, sharing the servers' workers and queues; null when they are only counted. */
  messages: Messages | null = null;
  readonly #clients: World["clients"];
  readonly #engine: World["engine"];
  readonly #metrics: World["metrics"];
  readonly #byClass: World["metrics"]["byClass"];
  readonly #servers: World["servers"];
  /** The balancer replica that routed the latest request (the only one, without `balancer.replicas`). */
  #balancer: World["balancer"];
  readonly #balancers: World["balancers"];
  /** Which replica a request reaches, with more than one: a draw per user and request, the same for every strategy. */
  readonly #replicaDraw: KeyedRandom | null;
  readonly #store: World["store"];
  readonly #scenario: World["scenario"];
  readonly #sessions: Sessions;
  readonly #users: Users;
  readonly #service: Distribution;
  readonly #serviceDraw: KeyedRandom;
  readonly #DONE: Kind;
  readonly #REDISPATCH: Kind;
  readonly #REFUSED: Kind;
  readonly #WRITTEN: Kind;
  readonly #instantStore: boolean;
  /** Whether a proxied request's connection comes from the proxy (not with the PROXY protocol), and whether it carries X-Forwarded-For. */
  readonly #proxySource: boolean;
  readonly #forwardedHeader: boolean;
  /** `clients.keepAlive`: seconds a connection stays open idle after a response (0: a connection per request). */
  readonly #keepAlive: number;

  constructor(world: World, sessions: Sessions, users: Users) {
    this.#clients = world.clients;
    this.#engine = world.engine;
    this.#metrics = world.metrics;
    this.#byClass = world.metrics.byClass;
    this.#servers = world.servers;
    this.#balancer = world.balancer;
    this.#balancers = world.balancers;
    this.#replicaDraw = world.balancers.length > 1 ? new KeyedRandom(world.seed, world.purpose("replica")) : null;
    this.#store = world.store;
    this.#scenario = world.scenario;
    this.#sessions = sessions;
    this.#users = users;
    this.#service = compileDistribution(world.scenario.servers.service);
    this.#serviceDraw = new KeyedRandom(world.seed, world.purpose("service"));
    this.#DONE = world.engine.on(this.#done);
    this.#REDISPATCH = world.engine.on(this.#redispatch);
    this.#REFUSED = world.engine.on(this.#refused);
    this.#WRITTEN = world.engine.on(this.#written);
    this.#instantStore = world.store instanceof InstantStore;
    const forwarding = world.scenario.clients.proxies.forwardedFor;
    this.#proxySource = forwarding !== "proxy-protocol";
    this.#forwardedHeader = forwarding === "header";
    this.#keepAlive = world.scenario.clients.keepAlive;
  }

  /**
   * The balancer's pick for the user's request (an HTTP request, or a connection's upgrade):
   * the server index, -1 when none is eligible. `excluded` is a server it already found refusing connections.
   */
  route(slot: number, now: number, excluded: number): number {
    this.#reachBalancer(slot, this.#replicaDraw !== null && !this.#kept(slot, now));
    return this.#pick(slot, now, excluded);
  }

  /** The pick of the balancer the request reached. */
  #pick(slot: number, now: number, excluded: number): number {
    const t = this.#clients;
    const cookiesEnabled = t.cookiesDisabled[slot] === 1 ? 0 : 1;
    this.#sessions.reserve(slot);
    const session = t.session[slot];
    const next = session < 0 ? t.reservedSession[slot] : -1;
    // The client's own address travels in X-Forwarded-For where a proxy in front adds the header.
    const forwardedFor = t.proxyAddress[slot] >= 0 && this.#forwardedHeader ? t.address[slot] : -1;
    return this.#balancer.route(now, this.#source(slot), forwardedFor, cookiesEnabled, cookiesEnabled ? t.lbCookie[slot] : -1, session, next, excluded);
  }

  /**
   * The balancer replica the request reaches: a new connection is spread over the replicas by a
   * draw per user and request (`draw`); a kept-alive one goes through the replica it went through.
   */
  #reachBalancer(slot: number, draw: boolean): void {
    const t = this.#clients;
    if (draw) t.replica[slot] = Math.floor((this.#replicaDraw as KeyedRandom).at(t.uid[slot], t.sent[slot]) * this.#balancers.length);
    if (this.#replicaDraw !== null) this.#balancer = this.#balancers[t.replica[slot]];
    // With device classes the balancer's strategy is a router over theirs, told whose request this is.
    const router = this.#balancer.router;
    if (router !== null) router.deviceClass = t.deviceClass[slot];
  }

  /** Whether the user's request goes over its kept-alive connection: still open, and the server process that has it still up. */
  #kept(slot: number, now: number): boolean {
    const t = this.#clients;
    if (this.#keepAlive === 0 || now >= t.keptUntil[slot]) return false;
    const server = t.keptServer[slot];
    return this.#servers.up[server] === 1 && this.#servers.epoch[server] === t.keptEpoch[slot];
  }

  /** The response passes back through the balancer, whose strategy learns from it (a stick table stores the server). */
  #learn(slot: number, server: number, now: number, balancer: World["balancer"]): void {
    const t = this.#clients;
    // The application sets its session cookie on the response that started the session (or started it over).
    const session = t.session[slot];
    const setsSession = session >= 0 && t.sessionStartedAt[slot] >= t.sentAt[slot] ? session : -1;
    const router = balancer.router;
    if (router !== null) router.deviceClass = t.deviceClass[slot];
    balancer.responded(now, this.#source(slot), setsSession, server, t.sentAt[slot]);
  }

  /** The address the balancer sees the user's connection come from: through a proxy, the proxy's, unless it speaks the PROXY protocol. */
  #source(slot: number): number {
    const t = this.#clients, proxy = t.proxyAddress[slot];
    return proxy >= 0 && this.#proxySource ? proxy : t.address[slot];
  }

  /** The response of the request just routed reaches the user: the browser keeps the cookie the balancer set, if any. */
  keepCookie(slot: number, now: number): void {
    const t = this.#clients, { setCookie, setCookieTtl } = this.#balancer.request;
    if (setCookie >= 0 && t.cookiesDisabled[slot] !== 1) {
      t.lbCookie[slot] = setCookie;
      t.lbCookieExpires[slot] = now + setCookieTtl;
    }
  }

  /** The balancer routes the request; `excluded` is a server it already found refusing connections. */
  dispatch(slot: number, now: number, excluded: number): void {
    const t = this.#clients, servers = this.#servers, metrics = this.#metrics;
    const kept = this.#kept(slot, now);
    this.#reachBalancer(slot, this.#replicaDraw !== null && !kept);
    // Over a connection a balancer of connections already routed, nothing is decided and no cookie set.
    const direct = kept && excluded < 0 && this.#balancer.strategy.perConnection === true;
    const server = direct ? t.keptServer[slot] : this.#pick(slot, now, excluded);
    if (server < 0) return this.#fail(slot, now);
    metrics.routed(server, now);
    if (!servers.up[server]) return this.#connectionRefused(slot, server, now, excluded < 0);
    if (!direct) this.keepCookie(slot, now);
    const worker = servers.idleWorker(server);
    if (worker < 0 && servers.queueLength(server) >= servers.queueLimit) return this.#fail(slot, now);
    t.server[slot] = server;
    servers.connected(server);
    if (worker >= 0) this.#startService(slot, server, worker, now);
    else {
      t.worker[slot] = -1;
      servers.enqueue(server, slot);
    }
  }

  /** The server stopped: every request in service or queued there fails, and their users carry on. */
  failAll(server: number, now: number): void {
    const t = this.#clients, servers = this.#servers;
    const failRequest = (slot: number) => {
      servers.disconnected(server);
      t.gen[slot]++; // its completion event is now stale
      this.#fail(slot, now);
    };
    const fail = (entry: number) => (entry >= 0 ? failRequest(entry) : this.messages!.drop(messageJob(entry), now));
    for (let w = 0; w < servers.workers; w++) {
      const entry = servers.busy[server * servers.workers + w];
      if (entry === -1) continue;
      servers.busy[server * servers.workers + w] = -1;
      fail(entry);
    }
    for (let entry = servers.dequeue(server); entry !== -1; entry = servers.dequeue(server)) fail(entry);
  }

  /** The request got no answer. */
  #fail(slot: number, now: number): void {
    const t = this.#clients;
    this.#metrics.failed(t.sentAt[slot]);
    this.#byClass?.failed(t.deviceClass[slot], t.sentAt[slot]);
    this.#users.afterResponse(slot, now);
  }

  /**
   * The chosen server is down but the balancer does not know yet. It retries the connection
   * `retries` times, `retryDelay` apart (HAProxy: 3 retries, 1 s turn-around), then answers 503.
   * A redispatching strategy sends the last retry to another server instead, with no wait before
   * it (recorded: a 200 from another server after ~2 s, a 503 after ~3 s without redispatch); when
   * that retry is refused too (the strategy kept the same server, or chose another dead one), the
   * retries are spent and the balancer answers at once.
   */
  #connectionRefused(slot: number, server: number, now: number, mayRedispatch: boolean): void {
    const { retries, retryDelay } = this.#scenario.balancer;
    const t = this.#clients, subject = t.subject(slot);
    if (mayRedispatch && retries > 0 && this.#balancer.strategy.redispatch) {
      t.server[slot] = server;
      this.#engine.at(now + (retries - 1) * retryDelay, this.#REDISPATCH, subject);
    } else {
      this.#engine.at(now + (mayRedispatch ? retries * retryDelay : 0), this.#REFUSED, subject);
    }
  }

  readonly #redispatch = (subject: number, now: number): void => {
    const slot = slotOf(subject), t = this.#clients;
    if (t.gen[slot] === genOf(subject)) this.dispatch(slot, now, t.server[slot]);
  };

  readonly #refused = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#fail(slot, now);
  };

  /**
   * A worker takes the request: the application reads the session from the store (how long that
   * takes, and whether the store answers at all, is the store's), then does the work.
   */
  #startService(slot: number, server: number, worker: number, now: number): void {
    const t = this.#clients, servers = this.#servers, store = this.#store;
    if (!servers.running[server]) throw new InvariantError("a request started service on a server that is not running", now, `server ${servers.specs[server].name}`);
    servers.busy[server * servers.workers + worker] = slot;
    t.worker[slot] = worker;
    const uid = t.uid[slot], n = t.sent[slot];
    // A store that never waits (local memory, tokens) is not asked: the request path stays as short as it was.
    const trips = this.#instantStore ? 0 : store.access(slot, now, uid, n, server);
    t.storeFailed[slot] = store.failed ? 1 : 0;
    if (store.failed) {
      // The worker waits for the store, then answers an error.
      this.#metrics.busy(server, trips, now);
      return this.#engine.at(now + trips, this.#DONE, t.subject(slot));
    }
    this.#sessions.read(slot, server, now);
    const work = this.#service.quantile(this.#serviceDraw.at(uid, n));
    this.#metrics.busy(server, work + trips, now);
    this.#engine.at(now + work + trips, this.#DONE, t.subject(slot));
  }

  /** The work is done; a store that queues its writes writes the session now, and the response waits for it. */
  readonly #done = (subject: number, now: number): void => {
    const slot = slotOf(subject), t = this.#clients;
    if (t.gen[slot] !== genOf(subject)) return; // the request failed when its server crashed
    if (this.#store.queued && !t.storeFailed[slot]) {
      const seconds = this.#store.write(slot, now, t.uid[slot], t.sent[slot]);
      this.#metrics.busy(t.server[slot], seconds, now);
      return this.#engine.at(now + seconds, this.#WRITTEN, subject);
    }
    this.#respond(slot, now);
  };

  readonly #written = (subject: number, now: number): void => {
    if (this.#clients.gen[slotOf(subject)] === genOf(subject)) this.#respond(slotOf(subject), now);
  };

  /** The response leaves: the worker is free for the next request in the queue. */
  #respond(slot: number, now: number): void {
    const t = this.#clients, servers = this.#servers;
    const server = t.server[slot], worker = t.worker[slot];
    servers.busy[server * servers.workers + worker] = -1;
    servers.disconnected(server);
    if (t.storeFailed[slot]) {
      this.#metrics.failed(t.sentAt[slot]);
      this.#byClass?.failed(t.deviceClass[slot], t.sentAt[slot]);
    } else {
      this.#metrics.served(t.sentAt[slot], now);
      this.#byClass?.served(t.deviceClass[slot], t.sentAt[slot], now);
    }
    // The response passes back through the replica that routed its request.
    const balancer = this.#replicaDraw === null ? this.#balancer : this.#balancers[t.replica[slot]];
    if (balancer.strategy.responded !== undefined) this.#learn(slot, server, now, balancer);
    if (this.#keepAlive > 0) {
      t.keptUntil[slot] = now + this.#keepAlive;
      t.keptServer[slot] = server;
      t.keptEpoch[slot] = servers.epoch[server];
    }
    this.serveNext(server, worker, now);
    this.#users.afterResponse(slot, now);
  }

  /** The worker is free: it takes the next request (or message) waiting; a stopping server with nothing left exits. */
  serveNext(server: number, worker: number, now: number): void {
    const servers = this.#servers, next = servers.dequeue(server);
    if (next >= 0) this.#startService(next, server, worker, now);
    else if (next !== -1) this.messages!.serve(messageJob(next), server, worker, now);
    // A stopping server exits once it has answered everything it accepted.
    else if (servers.stopping[server] && this.holdsNothing(server)) servers.halt(server, servers.stopCause[server], servers.stopEvent[server], now);
  }

  /** Whether the server has nothing left to answer: no request in service or queued, no open connection, no message. */
  holdsNothing(server: number): boolean {
    return this.#servers.active[server] === 0 && (this.messages === null || this.messages.held[server] === 0);
  }
}
