#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Exit codes (README "Exit codes"): 0 ok, 1 internal error, 2 bad input. */
const BAD_INPUT = 2;
const packageRoot = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../" : "./", import.meta.url));

function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < (name === "--seed" ? 0 : 1))
      throw new InvalidArgumentError(`${name} expects a ${name === "--seed" ? "non-negative" : "positive"} integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function integerList(name: string) {
  return (value: string): number[] => {
    if (!/^\d+(,\d+)*$/.test(value.replaceAll(" ", "")))
      throw new InvalidArgumentError(`${name} expects comma-separated non-negative integers, got ${JSON.stringify(value)}`);
    return value.replaceAll(" ", "").split(",").map(Number);
  };
}

const program = new Command()
  .name("lbsim")
  .description("Simulate load-balancing and session-affinity strategies and compare them.")
  .version(JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).version)
  .showHelpAfterError()
  .exitOverride();

program
  .command("run")
  .description("simulate a scenario and write report.html, results.csv and results.json")
  .argument("<scenario>", "scenario file (JSON)")
  .option("--strategies <ids>", "comma-separated strategies to compare (ids or labels; default: the scenario's)")
  .option("--seed <n>", "override the scenario's seed", positiveInteger("--seed"))
  .option("--replications <n>", "override the number of replications", positiveInteger("--replications"))
  .option("--out <dir>", "output folder (default: ./lbsim-out/<scenario name>)")
  .option("--json", "print the results JSON to stdout (the summary table goes to stderr)")
  .action(run);

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
  .description("check a scenario file and print what it describes")
  .argument("<scenario>", "scenario file (JSON)")
  .action(validate);

program
  .command("list")
  .description("list the strategies and the bundled example scenarios")
  .option("--json", "print as JSON")
  .action(list);

interface RunFlags {
  strategies?: string;
  seed?: number;
  replications?: number;
  out?: string;
  json?: boolean;
}

// The simulator and the report code load only when a command needs them, to keep startup fast.
async function run(file: string, flags: RunFlags): Promise<void> {
  const { loadScenarioFile, InputError, selectStrategies, runScenario } = await import("./sim/index.js");
  const { renderCsv, renderHtml, renderJson, renderTable, writeOutputs } = await import("./reports/index.js");
  const scenario = loadScenarioFile(file);
  if (flags.seed !== undefined) scenario.seed = flags.seed;
  if (flags.replications !== undefined) scenario.replications = flags.replications;
  if (flags.strategies !== undefined) {
    const selected = selectStrategies(scenario, flags.strategies.split(",").map((s) => s.trim()).filter(Boolean));
    if ("error" in selected) throw new InputError(`--strategies: ${selected.error}`);
    scenario.strategies = selected.entries;
  }
  const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rsimulating ${done}/${total} runs`) : undefined;
  const started = performance.now();
  const result = runScenario(scenario, { onProgress: progress });
  if (progress) process.stderr.write("\n");
  const json = renderJson(result);
  const out = flags.out ?? join("lbsim-out", scenario.name);
  const written = writeOutputs(out, { "report.html": renderHtml(result), "results.csv": renderCsv(result), "results.json": json });
  const summary = `${renderTable(result)}\n${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${written.join(", ")}\n`;
  if (flags.json) {
    process.stderr.write(summary);
    process.stdout.write(json);
  } else {
    process.stdout.write(summary);
  }
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

async function validate(file: string): Promise<void> {
  const { loadScenarioFile, describeScenario } = await import("./sim/index.js");
  process.stdout.write(`${file}: ok\n${describeScenario(loadScenarioFile(file))}\n`);
}

async function list(flags: { json?: boolean }): Promise<void> {
  const { strategies, loadScenarioFile } = await import("./sim/index.js");
  const scenarios = bundledScenarios().map((path) => {
    const s = loadScenarioFile(path);
    return { name: s.name, file: relative(process.cwd(), path), description: s.description };
  });
  const items = strategies.map((s) => ({ id: s.id, summary: s.summary, models: s.models }));
  if (flags.json) return void process.stdout.write(JSON.stringify({ strategies: items, scenarios }, null, 2) + "\n");
  const width = Math.max(...items.map((s) => s.id.length));
  const lines = ["Strategies:", ...items.map((s) => `  ${s.id.padEnd(width)}  ${s.summary}`), "", "Example scenarios:"];
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
  if (error instanceof Error && error.name === "InputError") {
    process.stderr.write(`lbsim: ${error.message}\n`);
    return BAD_INPUT;
  }
  process.stderr.write(`lbsim: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
