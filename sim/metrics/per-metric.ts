import type { PerMetric } from "./result.js";

/**
 * Values under dotted metric names (`latencyMs.p99`, `byClass.mobile.lostByCause.remapped`)
 * nested as the metrics are, in the names' order. No metric key, cause or class name holds a
 * dot, so the names split unambiguously.
 */
export function nest<T>(flat: Record<string, T>): PerMetric<T> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const keys = name.split(".");
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return root as PerMetric<T>;
}

/** The value of one metric, by its dotted name, in an `estimates` or `vsBaseline` tree; undefined where the tree has none. */
export function metricAt<T>(tree: PerMetric<T>, name: string): T | undefined {
  let node: unknown = tree;
  for (const key of name.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node as T | undefined;
}
