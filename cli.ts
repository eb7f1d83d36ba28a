#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { budget, budgetOptions, collect, integerList, scenarioOptions, shardFlag, type BudgetFlags } from "./cli/flags.js";
import type { MergeFlags } from "./cli/merge.js";
import { packageRoot, version } from "./cli/package.js";
import type { RunFlags } from "./cli/run.js";
import type { SweepFlags } from "./cli/sweep.js";

/** Exit codes (README "Exit codes"): 0 ok, 1 internal error, 2 bad input or a budget exceeded; 130/143 interrupted. */
const BAD_INPUT = 2;

const program = new Command()
  .name("lbsim")
  .description("Simulate load-balancing and session-affinity strategies and compare them.")
  .version(version)
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(text.startsWith("error: ") ? `lbsim: ${text.slice(7)}` : text) })
  .exitOverride();

program
  .command("run")
  .description("simulate a scenario and write report.html, results.csv, results.json and long-format CSVs")
  .argument("<scenario>", "scenario file (JSON), or a results.json to run again");
for (const option of scenarioOptions("set a value of the scenario, as the file nests it (repeatable): --set servers.count=8 --set strategies[1].virtualNodes=1000")) program.commands.at(-1)?.addOption(option);
program.commands
  .at(-1)!
  .option("--out <dir>", "output folder (default: ./lbsim-out/<scenario name>)")
  .option("--json", "print the results JSON to stdout (the summary table goes to stderr)")
  .option("--quiet", "no progress display")
  .option("--resume", "finish an interrupted run: the same command line plus --resume runs only what partial.json in the output folder lacks")
  .action(async (file: string, flags: RunFlags) => (await import("./cli/run.js")).run(file, flags));
for (const option of budgetOptions()) program.commands.at(-1)?.addOption(option);

program
  .command("sweep")
  .description("simulate a scenario at every point of a grid of values and write report.html, sweep.csv, sweep.json and long-format CSVs")
  .argument("<scenario>", "scenario file (JSON), or a sweep.json to run again")
  .option("--vary <path=values>", "a path of the scenario and its values (repeatable; the grid is every combination): servers.count=2,4,8 or servers.count=2..16:2 (default for a sweep.json: its grid)", collect);
for (const option of scenarioOptions("set a value of the scenario at every point (repeatable)")) program.commands.at(-1)?.addOption(option);
program.commands
  .at(-1)!
  .option("--out <dir>", "output folder (default: ./lbsim-out/<scenario name>-sweep, or -sweep-shard-K-of-N)")
  .option("--shard <K/N|auto>", "run shard K of N (grid points i with i mod N = K - 1) and write shard.json for lbsim merge; auto: K and N from Slurm, a Kubernetes Indexed Job or AWS Batch", shardFlag)
  .option("--resume", "finish an interrupted sweep: the same command line plus --resume runs only what partial.json in the output folder lacks")
  .option("--json", "print sweep.json (shard.json with --shard) to stdout (the summary goes to stderr)")
  .option("--quiet", "no progress display")
  .action(async (file: string, flags: SweepFlags) => (await import("./cli/sweep.js")).sweep(file, flags));
for (const option of budgetOptions()) program.commands.at(-1)?.addOption(option);

program
  .command("merge")
  .description("combine the shard outputs of one sweep (lbsim sweep --shard K/N) into the files the whole sweep writes")
  .argument("<dirs...>", "the shard output folders, one for each of shards 1 to N")
  .option("--out <dir>", "output folder (default: ./lbsim-out/<scenario name>-sweep)")
  .option("--json", "print sweep.json to stdout (the summary goes to stderr)")
  .action(async (dirs: string[], flags: MergeFlags) => (await import("./cli/merge.js")).merge(dirs, flags));

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
for (const option of budgetOptions()) program.commands.at(-1)?.addOption(option);

program
  .command("list")
  .description("list the strategies and the bundled example scenarios")
  .option("--json", "print as JSON")
  .action(list);

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
