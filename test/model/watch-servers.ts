import { vi } from "vitest";
import { Balancer } from "../../sim/model/balancer.js";
import { ServerPool } from "../../sim/model/servers.js";
import { simulate, type RunOutput } from "../../sim/model/simulation.js";
import type { Scenario } from "../../sim/scenario/scenario.js";

/**
 * Runs one replication of the scenario's first strategy and calls `look` after every engine
 * event with the run's servers and balancer, so a test can check an invariant at every instant.
 * The two are found by spying on methods every run calls (ServerPool.start in its constructor,
 * Balancer.check at the first health check, at 0 s); the spies are removed afterwards.
 */
export function watchServers(s: Scenario, look: (now: number, servers: ServerPool, balancer: Balancer) => void): RunOutput & { pool: ServerPool; balancer: Balancer } {
  const start = vi.spyOn(ServerPool.prototype, "start");
  const check = vi.spyOn(Balancer.prototype, "check");
  try {
    const out = simulate(s, s.strategies[0], 0, {
      slice: 1,
      check(_processed, now) {
        const servers = start.mock.contexts[0] as ServerPool | undefined, balancer = check.mock.contexts[0] as Balancer | undefined;
        if (servers && balancer) look(now, servers, balancer);
      },
    });
    return { ...out, pool: start.mock.contexts[0] as ServerPool, balancer: check.mock.contexts[0] as Balancer };
  } finally {
    start.mockRestore();
    check.mockRestore();
  }
}
