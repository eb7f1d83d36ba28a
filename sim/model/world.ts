import type { Engine } from "../engine/engine.js";
import type { Collector } from "../metrics/collector.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Balancer } from "./balancer.js";
import type { ClientTable } from "./clients.js";
import type { Routing } from "./routing.js";
import type { ServerPool } from "./servers.js";
import type { SessionStore } from "./stores/index.js";

/**
 * What the parts of one run share: the scenario, the engine, the client table, the servers, the
 * balancer, the session store and the metrics. Parts keep their own state and call each other
 * through plain methods with numeric arguments (client slots, server indices).
 */
export interface World {
  readonly scenario: Scenario;
  readonly engine: Engine;
  readonly clients: ClientTable;
  readonly servers: ServerPool;
  /** The balancer, or its first replica: what every replica is told, it is told too. */
  readonly balancer: Balancer;
  /** Every balancer replica (`balancer.replicas`), the first being `balancer`. */
  readonly balancers: readonly Balancer[];
  /** Which strategies the balancers route by: the entry's, a strategy event's, afresh after a reload. */
  readonly routing: Routing;
  readonly store: SessionStore;
  readonly metrics: Collector;
  /** Seed of the run's random streams. */
  readonly seed: number;
  /** The stream name of a purpose in this replication: `rep0:arrivals`. */
  purpose(name: string): string;
}
