import { stream } from "../engine/random.js";
import { InvariantError } from "../engine/invariant.js";
import type { Scenario, StrategyEntry } from "../scenario/scenario.js";
import { findStrategy, type Strategy } from "../strategies/index.js";
import type { Balancer } from "./balancer.js";
import { ClassRouter } from "./class-router.js";

/**
 * What routes the requests: every balancer replica's strategies, as the strategy entry gives them
 * (with a router over one strategy per device class when the entry routes classes apart), or as a
 * `strategy` event replaced them; made afresh, on new streams, at a `reload`.
 */
export class Routing {
  readonly #balancers: readonly Balancer[];
  readonly #seed: number;
  readonly #purpose: (name: string) => string;
  /** Gives one replica its strategies as configured now; `suffix` names their streams. */
  #configure: (balancer: Balancer, suffix: string) => void;

  constructor(balancers: readonly Balancer[], scenario: Scenario, entry: StrategyEntry, seed: number, purpose: (name: string) => string) {
    this.#balancers = balancers;
    this.#seed = seed;
    this.#purpose = purpose;
    this.#configure = (balancer, suffix) => this.#entry(balancer, scenario, entry, suffix);
    this.#apply("");
  }

  /** A `strategy` event: every replica, and every class, is routed by the new strategy from now on. */
  switchTo(event: number, id: string, options: unknown): void {
    this.#configure = (balancer, suffix) => {
      balancer.strategy = this.#create(balancer, id, options, `strategy-event:${event}${suffix}`);
      balancer.router = null;
    };
    this.#apply("");
  }

  /** A `reload`: what the strategies kept in memory is gone; they start afresh. */
  reload(event: number): void {
    this.#apply(`:reload:${event}`);
  }

  #apply(suffix: string): void {
    // The first replica's streams keep the names a single balancer's have.
    this.#balancers.forEach((balancer, r) => this.#configure(balancer, suffix + (r === 0 ? "" : `:replica:${r}`)));
  }

  /**
   * The entry's strategy. An entry that routes device classes apart gets a router over one
   * strategy per class: a class it names has its own instance, with its own stream; the others
   * share the entry's.
   */
  #entry(balancer: Balancer, scenario: Scenario, entry: StrategyEntry, suffix: string): void {
    const own = this.#create(balancer, entry.id, entry.options, `strategy:${entry.label}${suffix}`);
    const classes = scenario.clients.classes;
    if (!classes || !entry.classes) {
      balancer.strategy = own;
      return;
    }
    const named = new Map(entry.classes.map((c) => [c.deviceClass, c]));
    const byClass = classes.map(({ name }) => {
      const c = named.get(name);
      return c ? this.#create(balancer, c.id, c.options, `strategy:${entry.label}:class:${name}${suffix}`) : own;
    });
    balancer.router = new ClassRouter(byClass);
    balancer.strategy = balancer.router;
  }

  /** A strategy over the balancer's pool as it is now, with its own seeded stream. */
  #create(balancer: Balancer, id: string, options: unknown, streamName: string): Strategy {
    const def = findStrategy(id);
    // A validated scenario names only registered strategies.
    if (!def) throw new InvariantError(`strategy ${JSON.stringify(id)} is not registered`, 0, "setup");
    return def.create(balancer.pool, stream(this.#seed, this.#purpose(streamName)), options);
  }
}
