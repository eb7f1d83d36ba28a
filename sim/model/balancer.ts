import type { PoolView, RoutingView, Strategy } from "../strategies/define.js";
import type { ServerSpec } from "../scenario/scenario.js";
import type { ClassRouter } from "./class-router.js";
import type { ServerPool } from "./servers.js";

/** The pool as the balancer keeps it: the view strategies read, with a size it may change. */
export type BalancerPool = Omit<PoolView, "size"> & { size: number };

/**
 * The load balancer: what it believes about each server (active health checks with fall and
 * rise thresholds, so a crashed server keeps getting traffic until `fall` checks in a row
 * have failed), which servers it drains or has removed, the pool view strategies read, and the
 * one reused routing view. A server it is told to drain stays eligible (requests that name it
 * may still go there) but takes no new sessions; whether a strategy still sends bound clients
 * to it is the strategy's own product behaviour.
 */
export class Balancer {
  readonly pool: BalancerPool;
  readonly request: RoutingView = { now: 0, address: 0, forwardedFor: -1, cookiesEnabled: 1, cookie: -1, sessionKey: -1, nextSessionKey: -1, keyText: null, excluded: -1, setCookie: -1, setCookieTtl: Infinity };
  strategy!: Strategy;
  /** With device classes routed apart: the router `strategy` is, told each request's class before it is routed; null otherwise. */
  router: ClassRouter | null = null;
  readonly #fall: number;
  readonly #rise: number;
  /** Consecutive checks that disagree with the current belief. */
  readonly #streak: Int32Array;
  /** 1 where the server is drained (an administrative state, as HAProxy's DRAIN or a deregistration). */
  readonly #draining: Uint8Array;
  readonly #removed: Uint8Array;

  /** A balancer over the first `servers.size` servers, all believed up, with room for the pool's capacity. */
  constructor(servers: ServerPool, fall: number, rise: number) {
    const capacity = servers.capacity, n = servers.size;
    this.pool = {
      size: n,
      names: servers.specs.map((s) => s.name),
      addresses: servers.specs.map((s) => s.address),
      ids: new Int32Array(capacity),
      weights: new Int32Array(capacity),
      eligible: new Uint8Array(capacity).fill(1, 0, n),
      accepting: new Uint8Array(capacity).fill(1, 0, n),
      active: servers.active,
      get activeTotal() {
        return servers.activeTotal;
      },
    };
    servers.specs.forEach((s, i) => {
      this.pool.ids[i] = s.id;
      (this.pool.weights as Int32Array)[i] = s.weight;
    });
    this.#fall = fall;
    this.#rise = rise;
    this.#streak = new Int32Array(capacity);
    this.#draining = new Uint8Array(capacity);
    this.#removed = new Uint8Array(capacity);
  }

  /** Feeds one health-check outcome; returns true when the server's eligibility changed. */
  check(server: number, passed: boolean): boolean {
    const eligible = this.pool.eligible;
    if (this.#removed[server] || passed === (eligible[server] === 1)) {
      this.#streak[server] = 0;
      return false;
    }
    if (++this.#streak[server] < (passed ? this.#rise : this.#fall)) return false;
    this.#streak[server] = 0;
    eligible[server] = passed ? 1 : 0;
    this.pool.accepting[server] = passed && !this.#draining[server] ? 1 : 0;
    this.strategy.poolChanged?.("health");
    return true;
  }

  /** Whether the balancer's belief about the server matches the fact that it is `up`. */
  agrees(server: number, up: boolean): boolean {
    return this.pool.eligible[server] === (up && !this.#removed[server] ? 1 : 0);
  }

  /** A server's weight changes (the pool's weights array is shared with the load-skew collector). */
  setWeight(server: number, weight: number): void {
    (this.pool.weights as Int32Array)[server] = weight;
    this.strategy.poolChanged?.("weights");
  }

  /** The server takes no new sessions from now on (or again, with `draining` false). */
  drain(server: number, draining: boolean): void {
    this.#draining[server] = draining ? 1 : 0;
    const accepting = this.pool.eligible[server] === 1 && !draining ? 1 : 0;
    if (this.pool.accepting[server] === accepting) return;
    this.pool.accepting[server] = accepting;
    this.strategy.poolChanged?.("health");
  }

  /** A server joins the configuration, believed down until its health checks pass. */
  add(spec: ServerSpec): void {
    const pool = this.pool, server = pool.size;
    (pool.names as string[]).push(spec.name);
    (pool.addresses as string[]).push(spec.address);
    pool.ids[server] = spec.id;
    (pool.weights as Int32Array)[server] = spec.weight;
    pool.size = server + 1;
    this.strategy.poolChanged?.("size");
  }

  /** The server leaves for good: nothing is sent to it again and its health checks stop counting. */
  remove(server: number): void {
    this.#removed[server] = 1;
    this.#draining[server] = 0;
    if (!this.pool.eligible[server] && !this.pool.accepting[server]) return;
    this.pool.eligible[server] = 0;
    this.pool.accepting[server] = 0;
    this.strategy.poolChanged?.("health");
  }

  /**
   * A response from `server` passes back: the strategy learns from it (Strategy.responded), in the
   * reused view refilled with the response's time, the client address and the session id the
   * response sets (-1: none).
   */
  responded(now: number, address: number, sessionKey: number, server: number, routedAt: number): void {
    const r = this.request;
    r.now = now;
    r.address = address;
    r.forwardedFor = -1;
    r.cookie = -1;
    r.sessionKey = sessionKey;
    r.nextSessionKey = -1;
    r.excluded = -1;
    r.setCookie = -1;
    r.setCookieTtl = Infinity;
    this.strategy.responded?.(r, server, routedAt);
  }

  /** Fills the reused routing view and asks the strategy; -1 when no server is eligible. */
  route(now: number, address: number, forwardedFor: number, cookiesEnabled: number, cookie: number, sessionKey: number, nextSessionKey: number, excluded: number): number {
    const r = this.request;
    r.now = now;
    r.address = address;
    r.forwardedFor = forwardedFor;
    r.cookiesEnabled = cookiesEnabled;
    r.cookie = cookie;
    r.sessionKey = sessionKey;
    r.nextSessionKey = nextSessionKey;
    r.excluded = excluded;
    r.setCookie = -1;
    r.setCookieTtl = Infinity;
    return this.strategy.pick(r);
  }
}
