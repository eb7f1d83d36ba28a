import { InvalidArgumentError, Option } from "commander";
import { InputError } from "../sim/scenario/errors.js";
import { parseShard, type Shard } from "../sim/sweep/shard.js";

/** A number flag; its bounds are the scenario schema's, checked with the file (loadScenarioFile's overrides). */
export function number(name: string) {
  return (value: string): number => {
    if (value.trim() === "" || !Number.isFinite(Number(value))) throw new InvalidArgumentError(`${name} expects a number, got ${clip(value)}`);
    return Number(value);
  };
}

export function integerList(name: string) {
  return (value: string): number[] => {
    if (!/^\d+(,\d+)*$/.test(value.replaceAll(" ", "")))
      throw new InvalidArgumentError(`${name} expects comma-separated non-negative integers, got ${clip(value)}`);
    return value.replaceAll(" ", "").split(",").map(Number);
  };
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30, t: 1e12, tb: 1e12, tib: 2 ** 40 };

/** A size in bytes: `512MiB`, `4GB`, `1.5G`, `1000000`. */
function size(name: string) {
  return (value: string): number => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
    if (!match || unit === undefined || !(Number(match[1]) > 0))
      throw new InvalidArgumentError(`${name} expects a size such as 512MiB, 4GiB or 8GB, got ${clip(value)}`);
    return Number(match[1]) * unit;
  };
}

/** A positive count: `1e9`, `2000000000`. */
function eventCount(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 1) throw new InvalidArgumentError(`${name} expects a positive number such as 5e9, got ${clip(value)}`);
    return n;
  };
}

export function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

// Values shown in --help come from the defaults the simulator uses (sim/budget.ts).
export const budgetOptions = () => [
  new Option("--max-memory <size>", "refuse or stop a run needing more memory than this (default 4GiB)").argParser(size("--max-memory")),
  new Option("--max-events <n>", "refuse or stop a run of more simulated events than this, over all runs (default 2e9)").argParser(eventCount("--max-events")),
  new Option("--max-output <size>", "refuse a run whose output files would be larger than this (default 256MiB)").argParser(size("--max-output")),
];

/** The flags `run` and `sweep` share, which shape the scenario and how it runs; `setHelp` says what `--set` does there. */
export const scenarioOptions = (setHelp: string) => [
  new Option("--strategies <ids>", "comma-separated strategies to compare (ids or labels; default: the scenario's)"),
  new Option("--seed <n>", "override the scenario's seed").argParser(number("--seed")),
  new Option("--replications <n>", "override the number of replications").argParser(number("--replications")),
  new Option("--baseline <label>", "the strategy the others' differences are measured against (default: the first)"),
  new Option("--set <path=value>", setHelp).argParser(collect),
  new Option("--workers <n>", "worker threads to run on (default: the machine's cores)").argParser(workerCount),
];

/** A whole number of worker threads, 1 or more. */
export function workerCount(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > 1024) throw new InvalidArgumentError(`--workers expects a whole number from 1 to 1024, got ${clip(value)}`);
  return n;
}

/** A repeatable flag's values, in the order given. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface BudgetFlags {
  maxMemory?: number;
  maxEvents?: number;
  maxOutput?: number;
}

/** The run's budget: the defaults, with what the flags raise or lower. */
export async function budget(flags: BudgetFlags) {
  const { DEFAULT_BUDGET } = await import("../sim/index.js");
  return {
    maxMemory: flags.maxMemory ?? DEFAULT_BUDGET.maxMemory,
    maxEvents: flags.maxEvents ?? DEFAULT_BUDGET.maxEvents,
    maxOutput: flags.maxOutput ?? DEFAULT_BUDGET.maxOutput,
  };
}

/** `--shard K/N` (1 ≤ K ≤ N) or `--shard auto`. */
export function shardFlag(value: string): Shard | "auto" {
  if (value.trim() === "auto") return "auto";
  try {
    return parseShard(value);
  } catch (error) {
    if (error instanceof InputError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
