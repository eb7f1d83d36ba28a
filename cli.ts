#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Exit codes (README "Exit codes"): 0 ok, 1 internal error, 2 bad input or a budget exceeded; 130/143 interrupted. */
const BAD_INPUT = 2;
const packageRoot = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../" : "./", import.meta.url));

/** A number flag; its bounds are the scenario schema's, checked with the file (loadScenarioFile's overrides). */
function number(name: string) {
  return (value: string): number => {
    if (value.trim() === "" || !Number.isFinite(Number(value))) throw new InvalidArgumentError(`${name} expects a number, got ${clip(value)}`);
    return Number(value);
  };
}

function integerList(name: string) {
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

function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

// Values shown in --help come from the defaults the simulator uses (sim/budget.ts).
const budgetOptions = [
  new Option("--max-memory <size>", "refuse or stop a run needing more memory than this (default 4GiB)").argParser(size("--max-memory")),
  new Option("--max-events <n>", "refuse or stop a run of more simulated events than this, over all runs (default 2e9)").argParser(eventCount("--max-events")),
  new Option("--max-output <size>", "refuse a run whose output files would be larger than this (default 256MiB)").argParser(size("--max-output")),
];

const program = new Command()
  .name("lbsim")
  .description("Simulate load-balancing and session-affinity strategies and compare them.")
  .version(JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).version)
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(text.startsWith("error: ") ? `lbsim: ${text.slice(7)}` : text) })
  .exitOverride();

program
  .command("run")
  .description("simulate a scenario and write report.html, results.csv and results.json")
  .argument("<scenario>", "scenario file (JSON)")
  .option("--strategies <ids>", "comma-separated strategies to compare (ids or labels; default: the scenario's)")
  .option("--seed <n>", "override the scenario's seed", number("--seed"))
  .option("--replications <n>", "override the number of replications", number("--replications"))
  .option("--baseline <label>", "the strategy the others' differences are measured against (default: the first)")
  .option("--out <dir>", "output folder (default: ./lbsim-out/<scenario name>)")
  .option("--json", "print the results JSON to stdout (the summary table goes to stderr)")
  .option("--quiet", "no progress display")
  .action(run);
for (const option of budgetOptions) program.commands.at(-1)?.addOption(option);

program
  .command("route")
  .description("read client keys (IPv4 addresses or session ids) on stdin, one a line; print CSV key,backend_index,backend_key")
  .requiredOption("--strategy <id>", "the strategy deciding (see lbsim list)")
  .requiredOption("--servers <keys>", "comma-separated server keys: nginx 127.0.1.1:8080 or HAProxy s1/1/127.0.1.1:8080")
  .option("--weights <w>", "comma-separated weights, one per server (default: all 1)", integerList("--weights"))
  .option("--down <i>", "comma-separated 0-based indices of servers marked down", integerList("--down"))
  .action(route);

program
  .command("validate")
  .description("check a scenario file, print what it describes and what running it would take")
  .argument("<scenario>", "scenario file (JSON)")
  .action(validate);
for (const option of budgetOptions) program.commands.at(-1)?.addOption(option);

program
  .command("list")
  .description("list the strategies and the bundled example scenarios")
  .option("--json", "print as JSON")
  .action(list);

interface BudgetFlags {
  maxMemory?: number;
  maxEvents?: number;
  maxOutput?: number;
}

interface RunFlags extends BudgetFlags {
  strategies?: string;
  seed?: number;
  replications?: number;
  baseline?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

// The simulator and the report code load only when a command needs them, to keep startup fast.
async function run(file: string, flags: RunFlags): Promise<void> {
  const { loadScenarioFile, InputError, selectStrategies, runScenario, scenarioWarnings, estimate } = await import("./sim/index.js");
  const { renderCsv, renderHtml, renderJson, renderTable, checkOutputDir, writeOutputSet, progressReporter } = await import("./reports/index.js");
  // The flags are checked by the scenario schema like the file's own values.
  const overrides = [
    ...(flags.seed === undefined ? [] : [{ path: ["seed"], value: flags.seed, flag: "--seed" }]),
    ...(flags.replications === undefined ? [] : [{ path: ["replications"], value: flags.replications, flag: "--replications" }]),
  ];
  const scenario = loadScenarioFile(file, overrides);
  if (flags.strategies !== undefined) {
    const selected = selectStrategies(scenario, flags.strategies.split(",").map((s) => s.trim()).filter(Boolean));
    if ("error" in selected) throw new InputError(`--strategies: ${selected.error}`);
    scenario.strategies = selected.entries;
  }
  // Checked before simulating so a bad --out fails at once, not after a long run.
  const out = flags.out ?? join("lbsim-out", scenario.name);
  checkOutputDir(out);
  for (const warning of scenarioWarnings(scenario, estimate(scenario))) process.stderr.write(`lbsim: warning: ${warning}\n`);
  const started = performance.now();
  const progress = flags.quiet || flags.json ? undefined : progressReporter(process.stderr, `${scenario.strategies.length * scenario.replications} runs`);
  let result;
  try {
    result = runScenario(scenario, { onProgress: progress?.update, budget: await budget(flags), baseline: flags.baseline });
  } finally {
    progress?.stop();
  }
  const json = renderJson(result);
  const written = await writeOutputSet(out, { "report.html": renderHtml(result), "results.csv": renderCsv(result), "results.json": json });
  const summary = `${renderTable(result)}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
  if (flags.json) {
    process.stderr.write(summary);
    process.stdout.write(json);
  } else {
    process.stdout.write(summary);
  }
}

/** The run's budget: the defaults, with what the flags raise or lower. */
async function budget(flags: BudgetFlags) {
  const { DEFAULT_BUDGET } = await import("./sim/index.js");
  return {
    maxMemory: flags.maxMemory ?? DEFAULT_BUDGET.maxMemory,
    maxEvents: flags.maxEvents ?? DEFAULT_BUDGET.maxEvents,
    maxOutput: flags.maxOutput ?? DEFAULT_BUDGET.maxOutput,
  };
}

async function route(flags: { strategy: string; servers: string; weights?: number[]; down?: number[] }): Promise<void> {
  const { createRouter } = await import("./sim/route.js");
  // Flags are checked before stdin is read, so a mistake is reported at once.
  const router = createRouter(flags.strategy, flags.servers.split(",").map((s) => s.trim()), flags.weights, flags.down ?? []);
  if (process.stdin.isTTY) process.stderr.write("lbsim route: reading keys from stdin, one a line (end with Ctrl-D)\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const routes = router(Buffer.concat(chunks).toString("utf8").split("\n"));
  const field = (text: string) => (/[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  process.stdout.write(routes.map((r) => `${field(r.key)},${r.index},${r.serverKey}\n`).join(""));
}

async function validate(file: string, flags: BudgetFlags): Promise<void> {
  const { loadScenarioFile, describeScenario, describeEstimate, estimate, overBudget, scenarioWarnings, BudgetError } = await import("./sim/index.js");
  const scenario = loadScenarioFile(file);
  const implied = estimate(scenario);
  const over = overBudget(implied, await budget(flags));
  if (over.length > 0) throw new BudgetError(`${file}: valid, but the run ${over.join("; it ")}`);
  const warnings = scenarioWarnings(scenario, implied).map((w) => `warning: ${w}\n`).join("");
  process.stdout.write(`${file}: ok\n${describeScenario(scenario)}\n${describeEstimate(implied)}\n${warnings}`);
}

async function list(flags: { json?: boolean }): Promise<void> {
  const { strategies, storeKinds, eventKinds, loadScenarioFile } = await import("./sim/index.js");
  const scenarios = bundledScenarios().map((path) => {
    const s = loadScenarioFile(path);
    return { name: s.name, file: relative(process.cwd(), path), description: s.description };
  });
  const items = strategies.map((s) => ({ id: s.id, summary: s.summary, models: s.models }));
  const stores = storeKinds.map((s) => ({ kind: s.kind, summary: s.summary }));
  const events = eventKinds.map((e) => ({ action: e.action, summary: e.summary }));
  if (flags.json) return void process.stdout.write(JSON.stringify({ strategies: items, stores, events, scenarios }, null, 2) + "\n");
  const section = (title: string, rows: { name: string; summary: string }[]) => {
    const width = Math.max(...rows.map((r) => r.name.length));
    return [title, ...rows.map((r) => `  ${r.name.padEnd(width)}  ${r.summary}`), ""];
  };
  const lines = [
    ...section("Strategies:", items.map((s) => ({ name: s.id, summary: s.summary }))),
    ...section("Session stores (store.kind):", stores.map((s) => ({ name: s.kind, summary: s.summary }))),
    ...section("Events (events[].<action>):", events.map((e) => ({ name: e.action, summary: e.summary }))),
    "Example scenarios:",
  ];
  for (const s of scenarios) lines.push(`  ${s.file}`, `      ${s.description}`);
  process.stdout.write(lines.join("\n") + "\n");
}

function bundledScenarios(): string[] {
  const dir = join(packageRoot, "scenarios");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== "lbsim.schema.json")
    .sort()
    .map((f) => join(dir, f));
}

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = exitCode(error);
}

function exitCode(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : BAD_INPUT;
  // Matched by name: the classes live in modules loaded lazily.
  const name = error instanceof Error ? error.name : "";
  if (name === "InputError" || name === "BudgetError") {
    process.stderr.write(`lbsim: ${(error as Error).message}\n`);
    return BAD_INPUT;
  }
  if (name === "Interrupted") {
    process.stderr.write(`lbsim: ${(error as Error).message}\n`);
    return (error as Error & { exitCode: number }).exitCode;
  }
  if (name === "InvariantError") {
    process.stderr.write(`lbsim: internal error, a broken invariant (please report it with the scenario file): ${(error as Error).message}\n${(error as Error).stack ?? ""}\n`);
    return 1;
  }
  process.stderr.write(`lbsim: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
