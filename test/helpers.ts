import { expect } from "vitest";
import { InputError } from "../sim/scenario/errors.js";
import { parseScenario } from "../sim/scenario/load.js";
import { scenarioSchema } from "../sim/scenario/schema.js";
import { compileScenario, type Scenario } from "../sim/scenario/scenario.js";
import type { PoolView, RoutingView } from "../sim/strategies/define.js";

/** A validated scenario from an object literal, failing the test on any problem. */
export function scenario(raw: unknown, name = "test"): Scenario {
  const { scenario, issues } = compileScenario(scenarioSchema.parse(raw), name, raw as Record<string, unknown>);
  if (!scenario) throw new Error(issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  return scenario;
}

/** A pool the test may grow: `size` is writable. */
export type TestPool = Omit<PoolView, "size"> & { size: number };

/**
 * A pool as the balancer would show it to a strategy. With `capacity` (default `size`) its arrays
 * describe that many servers (names, addresses, ids and weights filled in up front, as the
 * balancer's are), of which the first `size` exist: only those are eligible and accepting.
 */
export function pool(size: number, opts: { weights?: number[]; down?: number[]; addresses?: string[]; capacity?: number } = {}): TestPool {
  const capacity = opts.capacity ?? size;
  const eligible = new Uint8Array(capacity).fill(1, 0, size);
  for (const d of opts.down ?? []) eligible[d] = 0;
  return {
    size,
    names: Array.from({ length: capacity }, (_, i) => `s${i + 1}`),
    addresses: opts.addresses ?? Array.from({ length: capacity }, (_, i) => `127.0.1.${i + 1}:8080`),
    ids: Int32Array.from({ length: capacity }, (_, i) => i + 1),
    weights: Int32Array.from({ length: capacity }, (_, i) => opts.weights?.[i] ?? 1),
    eligible,
    accepting: eligible.slice(),
    active: new Int32Array(capacity),
    /** Tests set `active` directly; the total follows it. */
    get activeTotal() {
      return this.active.reduce((sum, n) => sum + n, 0);
    },
  };
}

export function request(fields: Partial<RoutingView> = {}): RoutingView {
  return { now: 0, address: 0, forwardedFor: -1, cookiesEnabled: 1, cookie: -1, sessionKey: -1, nextSessionKey: -1, keyText: null, excluded: -1, setCookie: -1, setCookieTtl: Infinity, ...fields };
}

/** IPv4 dotted quad to the unsigned 32-bit integer a strategy sees. */
export function ipv4(text: string): number {
  return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** The message of the InputError parsing `document` as the scenario file `file` gives; fails the test if it loads. */
export function scenarioProblems(document: unknown, file: string): string {
  return inputError(() => parseScenario(JSON.stringify(document, null, 2), file));
}

/** The InputError message a call throws (failing the test if it throws anything else, or nothing). */
export function inputError(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}
