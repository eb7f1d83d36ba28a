import type { PoolView, RoutingView, Strategy } from "../strategies/define.js";
import type { ServerSpec } from "../scenario/scenario.js";

/**
 * The load balancer: what it believes about each server (active health checks with fall and
 * rise thresholds, so a crashed server keeps getting traffic until `fall` checks in a row
 * have failed), the pool view strategies read, and the one reused routing view.
 */
export class Balancer {
  readonly pool: PoolView;
  readonly request: RoutingView = { now: 0, address: 0, cookiesEnabled: 1, cookie: -1, sessionKey: -1, nextSessionKey: -1, keyText: null, excluded: -1, setCookie: -1, setCookieTtl: Infinity };
  strategy!: Strategy;
  readonly #fall: number;
  readonly #rise: number;
  /** Consecutive checks that disagree with the current belief. */
  readonly #streak: Int32Array;

  constructor(list: readonly ServerSpec[], active: Int32Array, fall: number, rise: number) {
    this.pool = {
      size: list.length,
      names: list.map((s) => s.name),
      addresses: list.map((s) => s.address),
      ids: Int32Array.from(list, (s) => s.id),
      weights: Int32Array.from(list, (s) => s.weight),
      eligible: new Uint8Array(list.length).fill(1),
      accepting: new Uint8Array(list.length).fill(1),
      active,
    };
    this.#fall = fall;
    this.#rise = rise;
    this.#streak = new Int32Array(list.length);
  }

  /** Feeds one health-check outcome; returns true when the server's eligibility changed. */
  check(server: number, passed: boolean): boolean {
    const eligible = this.pool.eligible;
    if (passed === (eligible[server] === 1)) {
      this.#streak[server] = 0;
      return false;
    }
    if (++this.#streak[server] < (passed ? this.#rise : this.#fall)) return false;
    this.#streak[server] = 0;
    eligible[server] = passed ? 1 : 0;
    this.pool.accepting[server] = eligible[server];
    this.strategy.poolChanged?.("health");
    return true;
  }

  /** A server's weight changes (the pool's weights array is shared with the load-skew collector). */
  setWeight(server: number, weight: number): void {
    (this.pool.weights as Int32Array)[server] = weight;
    this.strategy.poolChanged?.("weights");
  }

  /** Fills the reused routing view and asks the strategy; -1 when no server is eligible. */
  route(now: number, address: number, cookiesEnabled: number, cookie: number, sessionKey: number, nextSessionKey: number, excluded: number): number {
    const r = this.request;
    r.now = now;
    r.address = address;
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
