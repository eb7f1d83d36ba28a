import { stream } from "../engine/random.js";
import { InvariantError } from "../engine/invariant.js";
import type { Scenario, StrategyEntry } from "../scenario/scenario.js";
import { findStrategy, type Strategy } from "../strategies/index.js";
import type { Balancer } from "./balancer.js";
import { ClassRouter } from "./class-router.js";

/** Where one replica's strategies are made: its balancer, its index, and the suffix of their streams' names. */
interface Place {
  readonly balancer: Balancer;
  readonly replica: number;
  readonly suffix: string;
}

/**
 * What routes the requests: every balancer replica's strategies, as the strategy entry gives them
 * (with a router over one strategy per device class when the entry routes classes apart), or as a
 * `strategy` event replaced them; made afresh, on new streams, at a `reload`. What the replicas'
 * instances of one configured strategy share (StrategyDef.shared) is made once per configured
 * strategy, kept across reloads, and made anew by a `strategy` event.
 */
export class Routing {
  readonly #balancers: readonly Balancer[];
  readonly #seed: number;
  readonly #purpose: (name: string) => string;
  /** Gives one replica its strategies as configured now. */
  #configure: (place: Place) => void;
  /** The shared state of each configured strategy, by the name of its stream without suffixes. */
  readonly #shared = new Map<string, unknown>();

  constructor(balancers: readonly Balancer[], scenario: Scenario, entry: StrategyEntry, seed: number, purpose: (name: string) => string) {
    this.#balancers = balancers;
    this.#seed = seed;
    this.#purpose = purpose;
    this.#configure = (place) => this.#entry(place, scenario, entry);
    this.#apply("");
  }

  /** A `strategy` event: every replica, and every class, is routed by the new strategy from now on. */
  switchTo(event: number, id: string, options: unknown): void {
    this.#shared.clear();
    this.#configure = (place) => {
      place.balancer.strategy = this.#create(place, id, options, `strategy-event:${event}`);
      place.balancer.router = null;
    };
    this.#apply("");
  }

  /** A `reload`: what the strategies kept in memory is gone, but for what they share; they start afresh. */
  reload(event: number): void {
    this.#apply(`:reload:${event}`);
  }

  #apply(suffix: string): void {
    // The first replica's streams keep the names a single balancer's have.
    this.#balancers.forEach((balancer, replica) => this.#configure({ balancer, replica, suffix: suffix + (replica === 0 ? "" : `:replica:${replica}`) }));
  }

  /**
   * The entry's strategy. An entry that routes device classes apart gets a router over one
   * strategy per class: a class it names has its own instance, with its own stream; the others
   * share the entry's.
   */
  #entry(place: Place, scenario: Scenario, entry: StrategyEntry): void {
    const { balancer } = place;
    const own = this.#create(place, entry.id, entry.options, `strategy:${entry.label}`);
    const classes = scenario.clients.classes;
    if (!classes || !entry.classes) {
      balancer.strategy = own;
      return;
    }
    const named = new Map(entry.classes.map((c) => [c.deviceClass, c]));
    const byClass = classes.map(({ name }) => {
      const c = named.get(name);
      return c ? this.#create(place, c.id, c.options, `strategy:${entry.label}:class:${name}`) : own;
    });
    balancer.router = new ClassRouter(byClass);
    balancer.strategy = balancer.router;
  }

  /**
   * A strategy over the balancer's pool as it is now, with its own seeded stream (`name` with the
   * place's suffix), and the shared state of the configured strategy `name` names.
   */
  #create(place: Place, id: string, options: unknown, name: string): Strategy {
    const def = findStrategy(id);
    // A validated scenario names only registered strategies.
    if (!def) throw new InvariantError(`strategy ${JSON.stringify(id)} is not registered`, 0, "setup");
    if (def.shared && !this.#shared.has(name)) this.#shared.set(name, def.shared(options, this.#balancers.length));
    return def.create(place.balancer.pool, stream(this.#seed, this.#purpose(name + place.suffix)), options, { index: place.replica, shared: this.#shared.get(name) });
  }
}
