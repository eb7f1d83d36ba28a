import { scenarioSchema } from "../sim/scenario/schema.js";
import { compileScenario, type Scenario } from "../sim/scenario/scenario.js";
import type { PoolView, RoutingView } from "../sim/strategies/define.js";

/** A validated scenario from an object literal, failing the test on any problem. */
export function scenario(raw: unknown, name = "test"): Scenario {
  const { scenario, issues } = compileScenario(scenarioSchema.parse(raw), name);
  if (!scenario) throw new Error(issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  return scenario;
}

/** A pool as the balancer would show it to a strategy. */
export function pool(size: number, opts: { weights?: number[]; down?: number[]; addresses?: string[] } = {}): PoolView {
  const eligible = new Uint8Array(size).fill(1);
  for (const d of opts.down ?? []) eligible[d] = 0;
  return {
    size,
    names: Array.from({ length: size }, (_, i) => `s${i + 1}`),
    addresses: opts.addresses ?? Array.from({ length: size }, (_, i) => `127.0.1.${i + 1}:8080`),
    ids: Int32Array.from({ length: size }, (_, i) => i + 1),
    weights: Int32Array.from(opts.weights ?? Array(size).fill(1)),
    eligible,
    active: new Int32Array(size),
  };
}

export function request(fields: Partial<RoutingView> = {}): RoutingView {
  return { now: 0, address: 0, cookiesEnabled: 1, cookie: -1, sessionKey: -1, nextSessionKey: -1, keyText: null, excluded: -1, setCookie: -1, setCookieTtl: Infinity, ...fields };
}

/** IPv4 dotted quad to the unsigned 32-bit integer a strategy sees. */
export function ipv4(text: string): number {
  return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}
