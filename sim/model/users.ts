import type { Kind } from "../engine/engine.js";
import { KeyedRandom, stream, type Random } from "../engine/random.js";
import { LIMITS } from "../scenario/limits.js";
import { genOf, slotOf } from "./clients.js";
import { ArrivalRate } from "./arrival-rate.js";
import type { Connections } from "./connections.js";
import { compileDistribution, type Distribution } from "./distributions.js";
import { SharedAddresses } from "./shared-addresses.js";
import { warmStartSpan } from "./warm-start.js";
import type { TrafficChange } from "./events/index.js";
import type { Sessions } from "./sessions.js";
import type { World } from "./world.js";

/** Where a user's request goes once sent: the balancer (requests.ts). */
export interface RequestSink {
  dispatch(slot: number, now: number, excluded: number): void;
}

/**
 * The users: new visits arrive as a Poisson process; a visit is a run of requests separated by
 * think times; some visits are followed by a return; NAT, mobile address changes, disabled and
 * cleared cookies. Everything that describes a user is drawn from streams keyed by user and
 * request or visit number, so every strategy faces the same users (common random numbers); only
 * the arrival process and the attributes drawn at a user's first arrival are sequential.
 */
/** Uniforms each new user takes from the population stream (NAT, mobile, cookies, its own address), whatever their values. */
const POPULATION_DRAWS = 4;

export class Users {
  requests!: RequestSink;
  /** The users' long-lived connections, in scenarios that have them. */
  connections: Connections | null = null;
  readonly #clients: World["clients"];
  readonly #engine: World["engine"];
  readonly #metrics: World["metrics"];
  readonly #scenario: World["scenario"];
  readonly #sessions: Sessions;
  readonly #arrivals: Random;
  readonly #population: Random;
  readonly #visitGap: Distribution;
  readonly #requestsPerVisit: Distribution;
  readonly #think: Distribution;
  readonly #returnAfter: Distribution;
  readonly #shared: SharedAddresses;
  /** Whether the balancer sees a proxied user's own address (in X-Forwarded-For or as the PROXY protocol's source). */
  readonly #proxySeesClient: boolean;
  readonly #addressChangeEvery: Distribution;
  readonly #draw: Record<"visitLength" | "think" | "returns" | "returnAfter" | "clear" | "move" | "moveAfter", KeyedRandom>;
  /** With device classes: each class's upper bound on the cumulative fractions, the stream a user's class is drawn from, and the per-class counts. */
  readonly #classBounds: Float64Array | null;
  readonly #classDraw: KeyedRandom | null;
  readonly #byClass: World["metrics"]["byClass"];
  readonly #NEW_VISIT: Kind;
  readonly #VISIT_START: Kind;
  readonly #SEND: Kind;
  readonly #rate: ArrivalRate;
  /** Bumped when the arrival rate changes, so the arrival drawn at the old rate is stale. */
  #arrivalGen = 0;
  /** Whether the rate has ever changed; until then arrivals are drawn as the plain exponential gaps they are. */
  #rateChanged = false;
  #users = 0;

  constructor(world: World, sessions: Sessions) {
    this.#clients = world.clients;
    this.#engine = world.engine;
    this.#metrics = world.metrics;
    this.#scenario = world.scenario;
    this.#sessions = sessions;
    const { clients } = world.scenario;
    this.#arrivals = stream(world.seed, world.purpose("arrivals"));
    this.#population = stream(world.seed, world.purpose("population"));
    this.#visitGap = compileDistribution({ dist: "exponential", mean: 1 / clients.visitsPerSecond });
    this.#rate = new ArrivalRate(clients.visitsPerSecond);
    this.#requestsPerVisit = compileDistribution(clients.requestsPerVisit);
    this.#think = compileDistribution(clients.think);
    this.#returnAfter = compileDistribution(clients.returning.after);
    this.#addressChangeEvery = compileDistribution(clients.mobile.addressChangeEvery);
    const keyed = (name: string) => new KeyedRandom(world.seed, world.purpose(name));
    this.#shared = new SharedAddresses(clients.nat, clients.proxies, keyed);
    this.#proxySeesClient = clients.proxies.forwardedFor !== false;
    this.#draw = {
      visitLength: keyed("visitLength"),
      think: keyed("think"),
      returns: keyed("returns"),
      returnAfter: keyed("returnAfter"),
      clear: keyed("clear"),
      move: keyed("move"),
      moveAfter: keyed("moveAfter"),
    };
    // A stream of its own, keyed by user: scenarios without classes draw exactly what they drew before.
    this.#classBounds = clients.classes ? cumulative(clients.classes.map((c) => c.fraction)) : null;
    this.#classDraw = clients.classes ? keyed("deviceClass") : null;
    this.#byClass = world.metrics.byClass;
    this.#NEW_VISIT = world.engine.on(this.#newVisit);
    this.#VISIT_START = world.engine.on(this.#visitStart);
    this.#SEND = world.engine.on(this.#send);
  }

  /** Schedules the first arrival (and, with a warm start, the users already there). */
  start(): void {
    const { warmStart, clients } = this.#scenario;
    if (warmStart) this.#warmStart(warmStartSpan(clients));
    this.#scheduleArrival(0);
  }

  /** The arrival rate of new users changes from now on; the next arrival is drawn again at the new rate (the process is memoryless). */
  traffic(change: TrafficChange, now: number): void {
    const base = this.#scenario.clients.visitsPerSecond;
    this.#rate.change(now, change.visitsPerSecond ?? base * (change.multiply as number), change.over);
    this.#rateChanged = true;
    this.#arrivalGen++;
    this.#scheduleArrival(now);
  }

  #scheduleArrival(now: number): void {
    const u = this.#arrivals();
    const at = this.#rateChanged ? this.#rate.next(now, -Math.log1p(-u)) : now + this.#visitGap.quantile(u);
    if (at <= this.#scenario.duration) this.#engine.at(at, this.#NEW_VISIT, this.#arrivalGen);
  }

  /** The user got an answer (or a failure): think and send the next request, or end the visit. */
  afterResponse(slot: number, now: number): void {
    const t = this.#clients;
    this.connections?.responded(slot, now);
    if (--t.requestsLeft[slot] > 0) {
      const pause = this.#think.quantile(this.#draw.think.at(t.uid[slot], t.sent[slot]));
      this.#engine.at(now + pause, this.#SEND, t.subject(slot));
    } else {
      this.#endVisit(slot, now);
    }
  }

  readonly #newVisit = (gen: number, now: number): void => {
    if (gen !== this.#arrivalGen) return;
    const c = this.#scenario.clients;
    if (c.count !== undefined && this.#users >= c.count) return;
    const slot = this.#arrive(now);
    this.#startVisit(slot, now);
    this.#scheduleArrival(now);
  };

  /** A new user: a slot, an address (its own or a NAT's), a proxy or none, whether it moves, whether it keeps cookies. */
  #arrive(now: number): number {
    const c = this.#scenario.clients, t = this.#clients, uid = this.#users++;
    const slot = t.allocate(uid);
    // A fixed number of population draws per user keeps the stream aligned whatever the branches;
    // which NAT address and which proxy come from keyed streams.
    const natDraw = this.#population(), mobileDraw = this.#population(), cookieDraw = this.#population();
    const ownAddress = randomAddress(this.#population()); // POPULATION_DRAWS in all
    const nat = this.#shared.natAddress(natDraw, uid);
    t.address[slot] = nat >= 0 ? nat : ownAddress;
    t.proxyAddress[slot] = this.#shared.proxyAddress(uid);
    t.mobile[slot] = mobileDraw < c.mobile.fraction ? 1 : 0;
    t.nextAddressChange[slot] = t.mobile[slot] ? now + this.#addressChangeEvery.quantile(this.#draw.moveAfter.at(t.uid[slot], 0)) : Infinity;
    t.cookiesDisabled[slot] = cookieDraw < c.cookies.disabledFraction ? 1 : 0;
    if (this.#classBounds !== null) t.deviceClass[slot] = classOf(this.#classBounds, (this.#classDraw as KeyedRandom).at(t.uid[slot], 0));
    this.connections?.arrived(slot);
    return slot;
  }

  /**
   * Warm start: the users who would be in the system at time 0 had it always been running are
   * there from the start. New users arrive over `span` seconds before 0 at the scenario's rate,
   * and each is walked through its visits' think times and returns without sending anything: a
   * user still in a visit at 0 sends its next request when that visit says, one between visits
   * comes back when its return says, the others are gone. The walk leaves service times out
   * (milliseconds against think times of seconds), and nobody has a session or cookie yet.
   */
  #warmStart(span: number): void {
    const c = this.#scenario.clients;
    for (let at = -span + this.#visitGap.quantile(this.#arrivals()); at < 0; at += this.#visitGap.quantile(this.#arrivals())) {
      if (c.count !== undefined && this.#users >= c.count) return;
      // A user whose first visit ended long before 0, never to return, leaves nothing but its draws from the population stream.
      if (this.#endedLongBefore(this.#users, 0, 0, this.#visitLength(this.#users, 0), at)) {
        this.#users++;
        for (let k = 0; k < POPULATION_DRAWS; k++) this.#population();
        continue;
      }
      this.#walk(this.#arrive(at), at);
    }
  }

  #walk(slot: number, arrived: number): void {
    const t = this.#clients, uid = t.uid[slot];
    let at = arrived, sent = 0;
    for (let visit = 0; ; visit++) {
      const length = this.#visitLength(uid, visit);
      if (this.#endedLongBefore(uid, visit, sent, length, at)) return t.release(slot);
      for (let j = 1; j <= length; j++) {
        if (at >= 0) {
          t.visit[slot] = visit;
          t.sent[slot] = sent;
          t.requestsLeft[slot] = length - j + 1;
          t.visitState[slot] = 0;
          return this.#engine.at(at, this.#SEND, t.subject(slot));
        }
        sent++;
        if (j < length) at += this.#think.quantile(this.#draw.think.at(uid, sent));
      }
      if (!this.#returns(uid, visit)) return t.release(slot);
      at += this.#returnAfter.quantile(this.#draw.returnAfter.at(uid, visit));
      if (at >= 0) {
        t.visit[slot] = visit + 1;
        t.sent[slot] = sent;
        if (at <= this.#scenario.duration) return this.#engine.at(at, this.#VISIT_START, t.subject(slot));
        return t.release(slot);
      }
    }
  }

  /**
   * Whether a visit starting at `at` (before 0) certainly ended before 0 and the user does not
   * come back, so the warm start can drop it without adding up its think times one by one.
   * NOTE: the walk spends most of its time in those sums (a log per think time, 60 a visit for
   * millions of users in bench-100k); with exponential think times one product and one log give
   * the sum to within rounding, and only a visit ending within a margin far above that rounding
   * (n · 1e-12 of the times involved) of 0 is walked exactly, so results do not change by a bit.
   * A visit of more than about 700 requests underflows the product to 0 and is walked exactly too.
   */
  #endedLongBefore(uid: number, visit: number, sent: number, length: number, at: number): boolean {
    const think = this.#think;
    if (!think.exponential || this.#returns(uid, visit)) return false;
    const draw = this.#draw.think, last = sent + length;
    // First from each draw's top bits alone: the think times this bound gives are at least the
    // exact ones, so a visit that ends before 0 by it certainly ends before 0 (half the hashing).
    let bound = 1;
    for (let n = sent + 1; n < last; n++) bound *= 1 - draw.above(uid, n);
    if (endsBefore(at, -think.mean * Math.log(bound), length)) return true;
    let product = 1;
    for (let n = sent + 1; n < last; n++) product *= 1 - draw.at(uid, n);
    return endsBefore(at, -think.mean * Math.log(product), length);
  }

  /** Whether the user comes back after this visit; with no returning users, without a draw (it is keyed, so skipping it moves no other). */
  #returns(uid: number, visit: number): boolean {
    const fraction = this.#scenario.clients.returning.fraction;
    return fraction > 0 && this.#draw.returns.at(uid, visit) < fraction;
  }

  /** Requests in a user's visit; clamped so a heavy-tailed draw cannot overflow the 32-bit counter. */
  #visitLength(uid: number, visit: number): number {
    return Math.min(LIMITS.countValue, Math.max(1, Math.round(this.#requestsPerVisit.quantile(this.#draw.visitLength.at(uid, visit)))));
  }

  readonly #visitStart = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#startVisit(slot, now);
  };

  readonly #send = (subject: number, now: number): void => {
    const slot = slotOf(subject);
    if (this.#clients.gen[slot] === genOf(subject)) this.#sendRequest(slot, now);
  };

  #startVisit(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], visit = t.visit[slot];
    t.visitState[slot] = this.#metrics.visitStarted(now) ? 1 : 0;
    this.#byClass?.visitStarted(t.deviceClass[slot], now);
    t.requestsLeft[slot] = this.#visitLength(uid, visit);
    if (this.#draw.clear.at(uid, visit) < this.#scenario.clients.cookies.clearPerVisit) {
      this.#sessions.cookiesCleared(slot, now);
      t.lbCookie[slot] = -1;
      t.lbCookieExpires[slot] = Infinity;
    }
    this.#sendRequest(slot, now);
  }

  #sendRequest(slot: number, now: number): void {
    const t = this.#clients;
    t.sent[slot]++;
    t.sentAt[slot] = now;
    this.#metrics.request(now);
    this.#byClass?.request(t.deviceClass[slot], now);
    if (now >= t.nextAddressChange[slot]) this.#moveAddress(slot, now);
    if (!this.#sessions.live(slot, now)) this.#sessions.abandon(slot, now);
    if (now >= t.lbCookieExpires[slot]) t.lbCookie[slot] = -1;
    this.requests.dispatch(slot, now, -1);
  }

  #endVisit(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], visit = t.visit[slot]++;
    this.connections?.visitEnded(slot, now);
    this.#sessions.visitEnded(slot, now);
    if (this.#returns(uid, visit)) {
      const at = now + this.#returnAfter.quantile(this.#draw.returnAfter.at(uid, visit));
      if (at <= this.#scenario.duration) return this.#engine.at(at, this.#VISIT_START, t.subject(slot));
    }
    this.#sessions.abandon(slot, now);
    t.release(slot);
  }

  #moveAddress(slot: number, now: number): void {
    const t = this.#clients, uid = t.uid[slot], n = ++t.addressChanges[slot];
    t.address[slot] = randomAddress(this.#draw.move.at(uid, n));
    // A TCP connection does not survive its client's new address.
    t.keptUntil[slot] = 0;
    // A proxy that forwards nothing of the client hides the move from the balancer.
    if (t.proxyAddress[slot] < 0 || this.#proxySeesClient) t.addressChanged[slot] = 1;
    t.nextAddressChange[slot] = now + this.#addressChangeEvery.quantile(this.#draw.moveAfter.at(uid, n));
  }
}

/** Running sums of the fractions, the last set to 1 so that rounding cannot leave a draw without a class. */
function cumulative(fractions: readonly number[]): Float64Array {
  const bounds = new Float64Array(fractions.length);
  let sum = 0;
  fractions.forEach((f, i) => (bounds[i] = sum += f));
  bounds[bounds.length - 1] = 1;
  return bounds;
}

/** The class a uniform number in [0, 1) falls in: the first whose bound is above it. */
function classOf(bounds: Float64Array, u: number): number {
  let c = 0;
  while (u >= bounds[c]) c++;
  return c;
}

/** A uniform IPv4 address from a uniform number in [0, 1). */
function randomAddress(u: number): number {
  return Math.floor(u * 0x100000000) >>> 0;
}

/**
 * Whether a visit starting at `at` with `thinking` seconds of think times ends before 0 by more
 * than the rounding of adding up its `length` think times as one logarithm (a margin of n · 1e-12
 * of the times involved). The margin grows with `thinking`, so a larger `thinking` that passes
 * implies every smaller one passes.
 */
function endsBefore(at: number, thinking: number, length: number): boolean {
  return at + thinking < -1e-12 * (length + 10) * (Math.abs(at) + thinking + 1);
}
