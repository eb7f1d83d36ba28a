import type { PoolChange, RoutingView, Strategy } from "../strategies/define.js";

/**
 * Device classes routed by strategies of their own over the same servers, as separate load
 * balancers in front of one set of instances route the kinds of device each serves (a mobile
 * site's and a PC site's, each with its own session settings: the Multi Load Balancer pattern,
 * http://en.clouddesignpattern.org/index.php/CDP:Multi_Load_Balancer_Pattern). The balancer's one strategy is
 * this router: a request goes to the strategy of its user's class, which the request path sets
 * in `deviceClass` just before routing it. Each class's strategy keeps its own state, reads the
 * one pool view, and hears of every change to the pool.
 */
export class ClassRouter implements Strategy {
  /** The class of the request being routed: an index into clients.classes. */
  deviceClass = 0;
  readonly #byClass: readonly Strategy[];
  /** Each strategy once (classes an entry does not name share its own), in class order. */
  readonly #distinct: readonly Strategy[];

  /** `byClass[c]` routes class c's requests. */
  constructor(byClass: readonly Strategy[]) {
    this.#byClass = byClass;
    this.#distinct = [...new Set(byClass)];
  }

  pick(request: RoutingView): number {
    return this.#byClass[this.deviceClass].pick(request);
  }

  /** Whether the strategy of the request just routed sends its last retry elsewhere (the request path asks right after routing it). */
  get redispatch(): boolean {
    return this.#byClass[this.deviceClass].redispatch === true;
  }

  /** Whether the strategy of the request about to be routed routes connections (the request path sets `deviceClass` first). */
  get perConnection(): boolean {
    return this.#byClass[this.deviceClass].perConnection === true;
  }

  /** A response passes back: the strategy of its user's class (which the request path sets in `deviceClass` first) learns from it. */
  responded(response: RoutingView, server: number, routedAt: number): void {
    this.#byClass[this.deviceClass].responded?.(response, server, routedAt);
  }

  poolChanged(what: PoolChange): void {
    for (const strategy of this.#distinct) strategy.poolChanged?.(what);
  }
}
