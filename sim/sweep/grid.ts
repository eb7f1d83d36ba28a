import { InputError } from "../scenario/errors.js";
import type { Override } from "../scenario/load.js";
import { parsePath, parseValue, splitAssignment } from "../scenario/set-flag.js";

/** Grid points a sweep may have: each is a scenario's worth of runs. */
export const MAX_GRID_POINTS = 10_000;

/** One `--vary PATH=VALUES`: the path as written and as segments, and its values in order. */
export interface Vary {
  path: string;
  segments: (string | number)[];
  values: unknown[];
}

/** One point of the grid: a value for each varied path, in the order the `--vary` flags were given. */
export interface GridPoint {
  index: number;
  values: Record<string, unknown>;
}

/**
 * `PATH=v1,v2,...`, `PATH=a..b` or `PATH=a..b:step` (inclusive numeric ranges, step 1 by
 * default). Values are JSON where they parse as JSON, text otherwise (`30m`); commas inside
 * brackets, braces or quotes do not split.
 */
export function parseVary(text: string): Vary {
  const flag = "--vary";
  const { path, value } = splitAssignment(text, flag);
  const segments = parsePath(path, flag);
  const range = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(value);
  const values = range ? rangeValues(path, Number(range[1]), Number(range[2]), range[3] === undefined ? 1 : Number(range[3])) : splitTopLevel(value).map(parseValue);
  if (values.length === 0 || (values.length === 1 && values[0] === "")) throw new InputError(`${flag} ${path}: no values; write ${path}=1,2,3 or ${path}=2..16:2`);
  if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) throw new InputError(`${flag} ${path}: a value is given twice`);
  return { path, segments, values };
}

function rangeValues(path: string, from: number, to: number, step: number): number[] {
  if (!(step > 0)) throw new InputError(`--vary ${path}: the step of a range must be above 0, got ${step}`);
  if (to < from) throw new InputError(`--vary ${path}: the range ${from}..${to} is empty; write the smaller end first`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_GRID_POINTS) throw new InputError(`--vary ${path}: the range has ${count} values, more than the ${MAX_GRID_POINTS} a sweep may have`);
  // Each value from its index, so a decimal step does not accumulate rounding (0.1 + 0.2).
  const decimals = Math.max(...[from, step].map((x) => (String(x).split(".")[1] ?? "").length));
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}

/** Splits at commas that are not inside brackets, braces or a quoted string. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Every combination of the varied values, the first `--vary` changing slowest. */
export function gridPoints(varies: readonly Vary[]): GridPoint[] {
  const paths = new Set<string>();
  for (const v of varies) {
    if (paths.has(v.path)) throw new InputError(`--vary ${v.path}: the path is varied twice; give all its values in one --vary`);
    paths.add(v.path);
  }
  const total = varies.reduce((n, v) => n * v.values.length, 1);
  if (total > MAX_GRID_POINTS) throw new InputError(`--vary: the grid has ${total} points, more than the ${MAX_GRID_POINTS} a sweep may have`);
  return Array.from({ length: total }, (_, index) => {
    const values: Record<string, unknown> = {};
    let rest = index;
    for (let k = varies.length - 1; k >= 0; k--) {
      const n = varies[k].values.length;
      values[varies[k].path] = varies[k].values[rest % n];
      rest = Math.floor(rest / n);
    }
    // In the order the flags were given.
    return { index, values: Object.fromEntries(varies.map((v) => [v.path, values[v.path]])) };
  });
}

/** The point's values as overrides of the scenario, each naming its flag. */
export function pointOverrides(varies: readonly Vary[], point: GridPoint): Override[] {
  return varies.map((v) => ({ path: v.segments, value: point.values[v.path], flag: `--vary ${v.path}` }));
}

/** `servers.count=4, clients.nat.fraction=0.2`: how messages and reports name a point. */
export function describePoint(point: GridPoint): string {
  return Object.entries(point.values)
    .map(([path, value]) => `${path}=${valueText(value)}`)
    .join(", ");
}

/** A varied value as people read it: text as it is, anything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
