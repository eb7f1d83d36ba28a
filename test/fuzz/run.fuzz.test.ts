// Runs small valid scenarios, generated from the editor JSON Schema and cut down to a moment of
// simulation by post-processing (scenario-gen.ts `smallRunnable`), end to end through
// `lbsim run FILE --out DIR` in a temporary working folder. Exit 0 must leave exactly the run's
// output files in DIR and nothing anywhere else; exit 2 must say why ("lbsim: ...") and leave
// nothing at all; exit 1 is a bug.
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_BUDGET, estimate, overBudget } from "../../sim/budget.js";
import { parseDuration } from "../../sim/scenario/duration.js";
import { InputError } from "../../sim/scenario/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/scenario.js";
import { cliProblems, fuzzRuns, fuzzSeed, runCli } from "./oracle.js";
import { scenarioDocument, scenarioJsonSchema, smallRunnable, type Json } from "./scenario-gen.js";

const OUTPUTS = ["report.html", "results.csv", "results.json", "metrics.csv", "replications.csv", "events.csv", "timeline.csv"];
/** Events a run may imply to be run here: a second or so of simulation. */
const MAX_EVENTS = 500_000;
const work = mkdtempSync(join(tmpdir(), "lbsim-fuzz-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the loader makes of `doc`, undefined when it is not a valid scenario. */
function load(doc: Json): Scenario | undefined {
  try {
    return parseScenario(JSON.stringify(doc), "fuzz.json");
  } catch {
    return undefined;
  }
}

/** The string-valued keys of an event in the schema: the ones that name a server. */
const SERVER_REFERENCES = Object.entries(scenarioJsonSchema.properties.events.items.properties as Record<string, { type?: string }>)
  .filter(([, p]) => p.type === "string")
  .map(([k]) => k);

/**
 * Events whose server names exist, so runs crash and recover servers: each server reference is
 * pointed at one of the scenario's servers (as the loader names them), then events the loader
 * still refuses (two actions, a crash of a crashed server...) are dropped, one pass per problem.
 */
function withServerEvents(doc: Json): Json {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !Array.isArray(doc.events)) return doc;
  const names = load({ ...doc, events: [] })?.servers.list.map((s) => s.name);
  if (!names) return doc;
  const events = doc.events.map((e, i) => {
    if (typeof e !== "object" || e === null || Array.isArray(e)) return e;
    return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, SERVER_REFERENCES.includes(k) && typeof v === "string" ? names[(v.length + i) % names.length] : v]));
  });
  let out: Json = { ...doc, events };
  for (let pass = 0; pass < 4; pass++) {
    try {
      parseScenario(JSON.stringify(out), "fuzz.json");
      return out;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const bad = new Set(error.problems.map((p) => /^events\[(\d+)\]/.exec(p.path)?.[1]).filter((i) => i !== undefined).map(Number));
      if (bad.size === 0) return out;
      out = { ...out, events: (out.events as Json[]).filter((_, i) => !bad.has(i)) };
    }
  }
  return out;
}

/** Generated documents cut down to run in a moment (still to be validated: cuts cannot fix every cross-field rule). */
const runnable: fc.Arbitrary<Json> = scenarioDocument({ maxItems: 3 }).map((generated) => withServerEvents(smallRunnable(generated, parseDuration)));

/** Every path under `dir`, hidden ones included, relative and sorted. */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      const rel = prefix + name;
      return statSync(path).isDirectory() ? [`${rel}/`, ...tree(path, `${rel}/`)] : [rel];
    });
}

/** Problems with one `lbsim run` of `doc` in a fresh working folder. */
async function runProblems(doc: Json): Promise<string[]> {
  const here = mkdtempSync(join(work, "case-"));
  writeFileSync(join(here, "scenario.json"), JSON.stringify(doc, null, 2));
  const before = tree(here);
  const res = await runCli(["run", "scenario.json", "--out", "out"], { cwd: here, timeoutMs: 30_000 });
  const after = tree(here);
  const found = cliProblems(res, 1 << 20);
  if (res.status === 0) {
    const expected = [...before, "out/", ...OUTPUTS.map((f) => `out/${f}`)].sort();
    if (JSON.stringify(after) !== JSON.stringify(expected)) found.push(`after exit 0 the folder holds ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}`);
    try {
      const results = JSON.parse(readFileSync(join(here, "out/results.json"), "utf8"));
      const n = load(doc)?.strategies.length;
      if (results.results?.length !== n) found.push(`results.json has ${results.results?.length} results for ${n} strategies`);
    } catch (error) {
      found.push(`results.json is not JSON: ${(error as Error).message}`);
    }
  } else if (res.status === 2) {
    if (JSON.stringify(after) !== JSON.stringify(before)) found.push(`after exit 2 the folder holds ${JSON.stringify(after)}, expected only ${JSON.stringify(before)}: something was half-written`);
  }
  if (found.length === 0) rmSync(here, { recursive: true, force: true });
  return found;
}

const property = (arb: fc.Arbitrary<Json>) =>
  fc.asyncProperty(arb, async (doc) => {
    const problems = await runProblems(doc);
    if (problems.length > 0) throw new Error(problems.join("\n"));
  });

// Each case is a process and a simulation (~0.5 s); shrinking a failure may take a minute.
const params = (seed: number, numRuns: number): fc.Parameters<[Json]> => ({ seed: fuzzSeed(seed), numRuns: fuzzRuns(numRuns), interruptAfterTimeLimit: 100_000 });

describe("lbsim run fuzz (the built CLI)", () => {
  it("runs small generated scenarios: exit 0 with exactly the three outputs, or 2 leaving nothing", { timeout: 120_000 }, async () => {
    const small = runnable.filter((doc) => {
      const scenario = load(doc);
      if (!scenario) return false;
      const e = estimate(scenario);
      return e.events <= MAX_EVENTS && e.output <= 32 * 2 ** 20 && overBudget(e, DEFAULT_BUDGET).length === 0;
    });
    await fc.assert(property(small), params(0x7a11, 15));
  });

  it("refuses generated scenarios over the run budget with exit 2 and a message, writing nothing", { timeout: 120_000 }, async () => {
    // The budget check runs before any simulation, so these cost a process start each.
    const over = runnable.filter((doc) => {
      const scenario = load(doc);
      return scenario !== undefined && overBudget(estimate(scenario), DEFAULT_BUDGET).length > 0;
    });
    await fc.assert(property(over), params(0xb0d6e7, 4));
  });
});

// Keeps the sample honest: the cut-down generator must reach valid, small scenarios often enough.
describe("smallRunnable", () => {
  it("makes a useful share of generated documents runnable", () => {
    const valid = fc.sample(runnable, { seed: 1, numRuns: 300 }).map(load).filter((s) => s !== undefined);
    expect(valid.length).toBeGreaterThan(30);
    for (const scenario of valid) {
      expect(scenario!.duration).toBeLessThanOrEqual(300);
      expect(scenario!.replications).toBe(1);
      expect(scenario!.strategies.length).toBeLessThanOrEqual(3);
      expect(scenario!.clients.visitsPerSecond).toBeLessThanOrEqual(5);
    }
  });
});
