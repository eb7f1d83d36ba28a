import { Engine, type Kind } from "../engine/engine.js";
import { KeyedRandom, stream, type Random } from "../engine/random.js";
import { Collector } from "../metrics/collector.js";
import type { Metrics, Timeline, TopologyEventResult } from "../metrics/result.js";
import type { Scenario, StrategyEntry } from "../scenario/scenario.js";
import { findStrategy } from "../strategies/index.js";
import { Balancer } from "./balancer.js";
import { ClientTable, genOf, slotOf } from "./clients.js";
import { compileDistribution, type Distribution } from "./distributions.js";
import { ServerPool } from "./servers.js";
import { findStore, type SessionStore } from "./stores/index.js";
import { findEvent, type EventDef, type TopologyControl } from "./events/index.js";
import { InvariantError } from "../engine/invariant.js";
import { LIMITS } from "../scenario/limits.js";

export interface RunOutput {
  metrics: Metrics;
  events: TopologyEventResult[];
  timeline: Timeline;
  /** Engine events handled, for benchmarks. */
  processedEvents: number;
}

/** Looks at a run between slices of events: progress, budgets. It may throw to stop the run. */
export interface RunMonitor {
  /** Events per slice. */
  readonly slice: number;
  /** Called after each slice with the events handled so far in this run and the simulated time. */
  check(processed: number, now: number): void;
}

/** Runs one replication of one strategy of a scenario. */
export function simulate(scenario: Scenario, entry: StrategyEntry, replication: number, monitor?: RunMonitor): RunOutput {
  return new Simulation(scenario, entry, replication).run(monitor);
}

/**
 * One run: visits arrive, users send requests through the balancer to servers, sessions are
 * created and read, servers crash and recover. Every random draw that describes users comes
 * from streams keyed by user and request number, so each strategy of a scenario faces the same
 * users, requests and failures (common random numbers); only the routing differs.
 */
class Simulation {
  readonly #s: Scenario;
  readonly #engine = new Engine();
  readonly #clients = new ClientTable();
  readonly #servers: ServerPool;
  readonly #balancer: Balancer;
  readonly #store: SessionStore;
  readonly #metrics: Collector;
  readonly #idleTimeout: number;

  readonly #arrivals: Random;
  readonly #population: Random;
  readonly #visitGap: Distribution;
  readonly #requestsPerVisit: Distribution;
  readonly #think: Distribution;
  readonly #service: Distribution;
  readonly #returnAfter: Distribution;
  readonly #natGroupSize: Distribution;
  readonly #addressChangeEvery: Distribution;
  readonly #draw: Record<"visitLength" | "think" | "service" | "returns" | "returnAfter" | "clear" | "move" | "moveAfter", KeyedRandom>;

  readonly #NEW_VISIT: Kind;
  readonly #VISIT_START: Kind;
  readonly #SEND: Kind;
  readonly #DONE: Kind;
  readonly #REDISPATCH: Kind;
  readonly #REFUSED: Kind;
  readonly #HEALTH_CHECK: Kind;
  readonly #TOPOLOGY: Kind;
  readonly #WINDOW: Kind;
  readonly #MEASURE_START: Kind;

  #users = 0;
  #sessions = 0;
  #natAddress = 0;
  #natRoom = 0;
  /** Per topology event: the server it takes away (-1 for none), and how many returning sessions were on it. */
  readonly #removed: number[] = [];
  readonly #mustMove: number[] = [];
  /** The definition of each scenario event, in the scenario's (time) order. */
  readonly #eventDefs: EventDef[];

  constructor(scenario: Scenario, entry: StrategyEntry, replication: number) {
    this.#s = scenario;
    const { clients, servers, balancer, seed } = scenario;
    const purpose = (name: string) => `rep${replication}:${name}`;
    this.#servers = new ServerPool(servers.list, servers.workers, servers.queueLimit);
    this.#balancer = new Balancer(servers.list, this.#servers.active, balancer.healthCheck.fall, balancer.healthCheck.rise);
    const def = findStrategy(entry.id) ?? missing("strategy", entry.id);
    this.#balancer.strategy = def.create(this.#balancer.pool, stream(seed, purpose(`strategy:${entry.label}`)), entry.options);
    this.#store = (findStore(entry.store.kind) ?? missing("store kind", entry.store.kind)).create(entry.store, this.#servers);
    this.#idleTimeout = entry.store.idleTimeout;
    this.#metrics = new Collector(scenario.warmup, scenario.duration, this.#balancer.pool.weights);

    this.#arrivals = stream(seed, purpose("arrivals"));
    this.#population = stream(seed, purpose("population"));
    this.#visitGap = compileDistribution({ dist: "exponential", mean: 1 / clients.visitsPerSecond });
    this.#requestsPerVisit = compileDistribution(clients.requestsPerVisit);
    this.#think = compileDistribution(clients.think);
    this.#service = compileDistribution(servers.service);
    this.#returnAfter = compileDistribution(clients.returning.after);
    this.#natGroupSize = compileDistribution(clients.nat.groupSize);
    this.#addressChangeEvery = compileDistribution(clients.mobile.addressChangeEvery);
    const keyed = (name: string) => new KeyedRandom(seed, purpose(name));
    this.#draw = {
      visitLength: keyed("visitLength"),
      think: keyed("think"),
      service: keyed("service"),
      returns: keyed("returns"),
      returnAfter: keyed("returnAfter"),
      clear: keyed("clear"),
      move: keyed("move"),
      moveAfter: keyed("moveAfter"),
    };

    const e = this.#engine;
    this.#NEW_VISIT = e.on(this.#newVisit);
    this.#VISIT_START = e.on(this.#visitStart);
    this.#SEND = e.on(this.#send);
    this.#DONE = e.on(this.#done);
    this.#REDISPATCH = e.on(this.#redispatch);
    this.#REFUSED = e.on(this.#refused);
    this.#HEALTH_CHECK = e.on(this.#healthCheck);
    this.#TOPOLOGY = e.on(this.#topology);
    this.#WINDOW = e.on(this.#window);
    this.#MEASURE_START = e.on(this.#measureStart);
    this.#eventDefs = scenario.events.map((event) => findEvent(event.action) ?? missing("event kind", event.action));
  }

  run(monitor?: RunMonitor): RunOutput {
    const e = this.#engine, s = this.#s;
    // Scheduled first, so it runs before anything else that happens at the end of the warmup.
    e.at(s.warmup, this.#MEASURE_START, 0);
    e.at(this.#visitGap.quantile(this.#arrivals()), this.#NEW_VISIT, 0);
    // First checks are staggered evenly over one interval, as HAProxy starts them.
    const interval = s.balancer.healthCheck.interval, n = this.#servers.size;
    for (let server = 0; server < n; server++) e.at((interval * server) / n, this.#HEALTH_CHECK, server);
    s.events.forEach((event, i) => {
      this.#removed.push(this.#eventDefs[i].takesAway ? event.server : -1);
      this.#mustMove.push(0);
      e.at(event.at, this.#TOPOLOGY, i);
    });
    e.at(s.warmup + s.metrics.window, this.#WINDOW, 0);
    const slice = monitor?.slice ?? Infinity;
    while (!e.run(s.duration, slice)) monitor?.check(e.processed, e.now);
    for (let slot = 0; slot < this.#clients.used; slot++) this.#abandonSession(slot, s.duration);
    const events = this.#metrics.events.map((ev, i) => ({
      ...ev,
      remapFraction: ev.returnedSessions > 0 ? ev.movedSessions / ev.returnedSessions : null,
      minimumFraction: ev.returnedSessions > 0 ? this.#mustMove[i] / ev.returnedSessions : null,
    }));
    return { metrics: this.#metrics.metrics(), events, timeline: this.#metrics.timeline, processedEvents: e.processed };
  }

  // ---- users and visits ----

  readonly #newVisit = (_: number, now: number): void => {
    const c = this.#s.clients;
    if (c.count !== undefined && this.#users >= c.count) return;
    const slot = this.#clients.allocate(this.#users++);
    const t = this.#clients;
    // A fixed number of population draws per user keeps the stream aligned whatever the branches.
    const natDraw = this.#population(), mobileDraw = this.#population(), cookieDraw = this.#population();
    const ownAddress = randomAddress(this.#population());
    if (natDraw < c.nat.fraction) {
      if (this.#natRoom <= 0) {
        this.#natAddress = randomAddress(this.#population());
        this.#natRoom = Math.max(1, Math.round(this.#natGroupSize.quantile(this.#population())));
      }
      this.#natRoom--;
      t.address[slot] = this.#natAddress;
    } else {
      t.address[slot] = ownAddress;
    }
    t.mobile[slot] = mobileDraw < c.mobile.fraction ? 1 : 0;
    t.nextAddressChange[slot] = t.mobile[slot] ? now + this.#addressChangeEvery.quantile(this.#draw.moveAfter.at(t.uid[slot], 0)) : Infinity;
    t.cookiesDisabled[slot] = cookieDraw < c.cookies.disabledFraction ? 1 : 0;
    this.#startVisit(slot, now);
    this.#engine.at(now + this.#visitGap.quantile(this.#arrivals()), this.#NEW_VISIT, 0);
  };

  readonly #visitStart = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#startVisit(slot, now);
  };

  #startVisit(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], visit = t.visit[slot];
    // Clamped so a heavy-tailed draw cannot overflow the 32-bit counter.
    t.requestsLeft[slot] = Math.min(LIMITS.countValue, Math.max(1, Math.round(this.#requestsPerVisit.quantile(this.#draw.visitLength.at(uid, visit)))));
    if (this.#draw.clear.at(uid, visit) < this.#s.clients.cookies.clearPerVisit) {
      if (this.#liveSession(slot, now)) {
        this.#metrics.lost(now, "cookieCleared");
        this.#endSession(slot);
      } else {
        this.#abandonSession(slot, now);
      }
      t.lbCookie[slot] = -1;
      t.lbCookieExpires[slot] = Infinity;
    }
    this.#sendRequest(slot, now);
  }

  #endVisit(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], visit = t.visit[slot]++;
    if (this.#draw.returns.at(uid, visit) < this.#s.clients.returning.fraction) {
      const at = now + this.#returnAfter.quantile(this.#draw.returnAfter.at(uid, visit));
      if (at <= this.#s.duration) return this.#engine.at(at, this.#VISIT_START, t.subject(slot));
    }
    this.#abandonSession(slot, now);
    t.release(slot);
  }

  // ---- requests ----

  readonly #send = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#sendRequest(slot, now);
  };

  #sendRequest(slot: number, now: number): void {
    const t = this.#clients;
    t.sent[slot]++;
    t.sentAt[slot] = now;
    this.#metrics.request(now);
    if (now >= t.nextAddressChange[slot]) this.#moveAddress(slot, now);
    if (!this.#liveSession(slot, now)) this.#abandonSession(slot, now);
    if (now >= t.lbCookieExpires[slot]) t.lbCookie[slot] = -1;
    this.#dispatch(slot, now, -1);
  }

  /** The balancer routes the request; `excluded` is a server it already found refusing connections. */
  #dispatch(slot: number, now: number, excluded: number): void {
    const t = this.#clients, servers = this.#servers, balancer = this.#balancer;
    const cookiesEnabled = t.cookiesDisabled[slot] === 1 ? 0 : 1;
    const session = t.session[slot];
    if (session < 0 && t.reservedSession[slot] < 0) t.reservedSession[slot] = this.#sessions++;
    const next = session < 0 ? t.reservedSession[slot] : -1;
    const server = balancer.route(now, t.address[slot], cookiesEnabled, cookiesEnabled ? t.lbCookie[slot] : -1, session, next, excluded);
    if (server < 0) {
      this.#metrics.failed(this.#clients.sentAt[slot]);
      return this.#afterResponse(slot, now);
    }
    this.#metrics.routed(server, now);
    if (!servers.up[server]) return this.#connectionRefused(slot, server, now, excluded < 0);
    const { setCookie, setCookieTtl } = balancer.request;
    if (setCookie >= 0 && cookiesEnabled) {
      t.lbCookie[slot] = setCookie;
      t.lbCookieExpires[slot] = now + setCookieTtl;
    }
    const worker = servers.idleWorker(server);
    if (worker < 0 && servers.queueLength(server) >= servers.queueLimit) {
      this.#metrics.failed(this.#clients.sentAt[slot]);
      return this.#afterResponse(slot, now);
    }
    t.server[slot] = server;
    servers.active[server]++;
    if (worker >= 0) this.#startService(slot, server, worker, now);
    else {
      t.worker[slot] = -1;
      servers.enqueue(server, slot);
    }
  }

  /**
   * The chosen server is down but the balancer does not know yet. It retries the connection
   * `retries` times, `retryDelay` apart (HAProxy: 3 retries, 1 s turn-around), then answers 503.
   * A redispatching strategy sends the last retry to another server instead, with no wait before
   * it (recorded: a 200 from another server after ~2 s, a 503 after ~3 s without redispatch).
   */
  #connectionRefused(slot: number, server: number, now: number, mayRedispatch: boolean): void {
    const { retries, retryDelay } = this.#s.balancer;
    const subject = this.#clients.subject(slot);
    if (mayRedispatch && retries > 0 && this.#balancer.strategy.redispatch) {
      this.#clients.server[slot] = server;
      this.#engine.at(now + (retries - 1) * retryDelay, this.#REDISPATCH, subject);
    } else {
      this.#engine.at(now + retries * retryDelay, this.#REFUSED, subject);
    }
  }

  readonly #redispatch = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#dispatch(slot, now, this.#clients.server[slot]);
  };

  readonly #refused = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] !== genOf(subject)) return;
    this.#metrics.failed(this.#clients.sentAt[slot]);
    this.#afterResponse(slot, now);
  };

  #startService(slot: number, server: number, worker: number, now: number): void {
    const t = this.#clients, servers = this.#servers;
    if (!servers.up[server]) throw new InvariantError("a request started service on a server that is down", now, `server ${this.#s.servers.list[server].name}`);
    servers.busy[server * servers.workers + worker] = slot;
    t.worker[slot] = worker;
    this.#readSession(slot, server, now);
    const work = this.#service.quantile(this.#draw.service.at(t.uid[slot], t.sent[slot]));
    this.#engine.at(now + work + this.#store.tripTime, this.#DONE, t.subject(slot));
  }

  readonly #done = (subject: number, now: number): void => {
    const slot = slotOf(subject), t = this.#clients, servers = this.#servers;
    if (t.gen[slot] !== genOf(subject)) return; // the request failed when its server crashed
    const server = t.server[slot], worker = t.worker[slot];
    servers.busy[server * servers.workers + worker] = -1;
    servers.active[server]--;
    this.#metrics.served(t.sentAt[slot], now);
    const next = servers.dequeue(server);
    if (next >= 0) this.#startService(next, server, worker, now);
    this.#afterResponse(slot, now);
  };

  #afterResponse(slot: number, now: number): void {
    const t = this.#clients;
    if (--t.requestsLeft[slot] > 0) {
      const pause = this.#think.quantile(this.#draw.think.at(t.uid[slot], t.sent[slot]));
      this.#engine.at(now + pause, this.#SEND, t.subject(slot));
    } else {
      this.#endVisit(slot, now);
    }
  }

  #moveAddress(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], n = ++t.addressChanges[slot];
    t.address[slot] = randomAddress(this.#draw.move.at(uid, n));
    t.addressChanged[slot] = 1;
    t.nextAddressChange[slot] = now + this.#addressChangeEvery.quantile(this.#draw.moveAfter.at(uid, n));
  }

  // ---- sessions ----

  #liveSession(slot: number, now: number): boolean {
    const t = this.#clients;
    return t.session[slot] >= 0 && now - t.sessionLastSeen[slot] <= this.#idleTimeout;
  }

  #endSession(slot: number): void {
    this.#clients.session[slot] = -1;
    this.#clients.pendingEvent[slot] = -1;
  }

  /** The user stopped using the session (it idled out, or the user left): it lives until its idle timeout. */
  #abandonSession(slot: number, now: number): void {
    const t = this.#clients;
    if (t.session[slot] < 0) return;
    this.#metrics.sessionAbandoned(now, t.sessionLastSeen[slot] + this.#idleTimeout);
    this.#endSession(slot);
  }

  /** Measurement starts: the sessions live now are the ones it inherits from the warmup. */
  readonly #measureStart = (_: number, now: number): void => {
    let live = 0;
    for (let slot = 0; slot < this.#clients.used; slot++) if (this.#liveSession(slot, now)) live++;
    this.#metrics.liveSessionsAtStart += live;
  };

  /** The application reads the session at the start of service; a session it cannot read is lost and started over. */
  #readSession(slot: number, server: number, now: number): void {
    const t = this.#clients, previous = t.sessionServer[slot];
    if (t.session[slot] < 0) {
      this.#newSession(slot, server, now);
    } else {
      const event = t.pendingEvent[slot];
      if (event >= 0) {
        const counts = this.#metrics.events[event];
        counts.returnedSessions++;
        if (server !== previous) counts.movedSessions++;
        if (previous === this.#removed[event]) this.#mustMove[event]++;
        t.pendingEvent[slot] = -1;
      }
      const failure = this.#store.readFailure(slot, server);
      this.#metrics.continued(now, server !== previous, failure === null && this.#store.heldLocally(slot, server));
      if (failure !== null) {
        this.#metrics.lost(now, failure === "remapped" && t.addressChanged[slot] ? "addressChanged" : failure);
        // The user starts over under the same key (the cookie a hashing balancer keys on stays),
        // so a session restarted on the server its key now hashes to stays there.
        t.reservedSession[slot] = t.session[slot];
        this.#newSession(slot, server, now);
      }
    }
    t.sessionLastSeen[slot] = now;
    t.sessionServer[slot] = server;
    t.addressChanged[slot] = 0;
  }

  #newSession(slot: number, server: number, now: number): void {
    const t = this.#clients;
    t.session[slot] = t.reservedSession[slot] >= 0 ? t.reservedSession[slot] : this.#sessions++;
    t.reservedSession[slot] = -1;
    this.#clients.pendingEvent[slot] = -1;
    this.#store.created(slot, server);
    this.#metrics.sessionStarted(now);
  }

  // ---- servers, balancer and topology ----

  readonly #healthCheck = (server: number, now: number): void => {
    this.#balancer.check(server, this.#servers.up[server] === 1);
    this.#engine.at(now + this.#s.balancer.healthCheck.interval, this.#HEALTH_CHECK, server);
  };

  readonly #topology = (index: number, now: number): void => {
    const event = this.#s.events[index];
    this.#eventDefs[index].apply(this.#control, event.server, now);
    const t = this.#clients;
    let active = 0;
    for (let slot = 0; slot < t.used; slot++) {
      if (!this.#liveSession(slot, now)) continue;
      active++;
      t.pendingEvent[slot] = index;
    }
    this.#metrics.events[index] = {
      at: event.at,
      action: event.action,
      server: this.#s.servers.list[event.server].name,
      activeSessions: active,
      returnedSessions: 0,
      movedSessions: 0,
      remapFraction: 0,
      minimumFraction: 0,
    };
  };

  /** What scenario events do to servers (sim/model/events/). */
  readonly #control: TopologyControl = {
    crash: (server, now) => this.#crash(server, now),
    recover: (server) => {
      this.#servers.up[server] = 1;
    },
  };

  /** The server stops: requests in service or queued there fail, and its memory is gone. */
  #crash(server: number, now: number): void {
    const servers = this.#servers, t = this.#clients;
    if (!servers.up[server]) return;
    servers.up[server] = 0;
    servers.epoch[server]++;
    this.#metrics.serverDown(server);
    const failRequest = (slot: number) => {
      servers.active[server]--;
      t.gen[slot]++; // its completion event is now stale
      this.#metrics.failed(this.#clients.sentAt[slot]);
      this.#afterResponse(slot, now);
    };
    for (let w = 0; w < servers.workers; w++) {
      const slot = servers.busy[server * servers.workers + w];
      if (slot < 0) continue;
      servers.busy[server * servers.workers + w] = -1;
      failRequest(slot);
    }
    for (let slot = servers.dequeue(server); slot >= 0; slot = servers.dequeue(server)) failRequest(slot);
  }

  readonly #window = (_: number, now: number): void => {
    this.#metrics.closeWindow(this.#servers.up, now);
    const next = now + this.#s.metrics.window;
    if (next <= this.#s.duration) this.#engine.at(next, this.#WINDOW, 0);
  };
}

/** A validated scenario names only registered parts; anything else is a bug. */
function missing(what: string, name: string): never {
  throw new InvariantError(`${what} ${JSON.stringify(name)} is not registered`, 0, "setup");
}

/** A uniform IPv4 address from a uniform number in [0, 1). */
function randomAddress(u: number): number {
  return Math.floor(u * 0x100000000) >>> 0;
}
