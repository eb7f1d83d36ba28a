// Fuzzes the scenario loader with documents generated from the editor JSON Schema, as written
// and broken in their values, text and bytes (scenario-gen.ts). Every answer must be a Scenario
// or an InputError whose message names the file on each line, stays a screenful and holds no
// stack; no case may take more than a couple of seconds. Seeds are fixed: a failure prints the
// shrunk case, and re-running reproduces it.
import fc from "fast-check";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/scenario.js";
import { root } from "../cli-run.js";
import { cliProblems, fail, fuzzRuns, fuzzSeed, inParallel, inputErrorProblems, MAX_CASE_MS, runCli, type CliResult } from "./oracle.js";
import { byteEdit, renderCase, requiredKeyNames, scenarioCase, scenarioJsonSchema, type ScenarioCase } from "./scenario-gen.js";

const FILE = "scenarios/fuzz-case.json";
const REQUIRED = requiredKeyNames(scenarioJsonSchema);
const dir = mkdtempSync(join(tmpdir(), "lbsim-fuzz-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Cases whose bytes are always edited: encodings, byte order marks, flipped and cut bytes. */
const byteCase: fc.Arbitrary<ScenarioCase> = scenarioCase().chain((c) => fc.array(byteEdit, { minLength: 1, maxLength: 2 }).map((bytes) => ({ ...c, bytes })));

/** Problems with what one load did: a Scenario, or an InputError for `file`, in bounded time. */
function loadProblems(load: () => Scenario, file: string): { problems: string[]; loaded: boolean } {
  const started = performance.now();
  let problems: string[];
  let loaded = false;
  try {
    problems = scenarioProblems(load());
    loaded = true;
  } catch (error) {
    problems = inputErrorProblems(error, file, REQUIRED);
  }
  const ms = performance.now() - started;
  if (ms > MAX_CASE_MS) problems.push(`took ${ms.toFixed(0)} ms (at most ${MAX_CASE_MS})`);
  return { problems, loaded };
}

/** What a validated scenario promises its readers (scenario.ts). */
function scenarioProblems(s: Scenario): string[] {
  const found: string[] = [];
  const labels = s.strategies.map((e) => e.label);
  if (new Set(labels).size !== labels.length) found.push(`strategy labels are not unique: ${JSON.stringify(labels)}`);
  if (!(s.warmup < s.duration)) found.push(`warmup ${s.warmup} is not shorter than duration ${s.duration}`);
  if (s.servers.list.length === 0) found.push("no servers");
  if (!(s.servers.capacity >= s.servers.list.length)) found.push(`capacity ${s.servers.capacity} is below the ${s.servers.list.length} initial servers`);
  for (const e of s.events) if (!e.servers.every((name) => typeof name === "string" && name.length > 0)) found.push(`event names servers ${JSON.stringify(e.servers)}`);
  return found;
}

describe("scenario loader fuzz (in process)", () => {
  it("answers generated and broken texts with a Scenario or a bounded InputError naming the file", () => {
    let valid = 0;
    fc.assert(
      fc.property(scenarioCase({ bytes: false }), (c) => {
        const { text } = renderCase(c);
        const { problems, loaded } = loadProblems(() => parseScenario(text, FILE), FILE);
        if (loaded) valid++;
        fail(problems, text);
      }),
      { seed: fuzzSeed(0x5ce7a), numRuns: fuzzRuns(2500) },
    );
    // The generator is biased to valid documents: a suite that only ever sees errors tests little.
    // About 2.7% come out valid: most generated documents break a rule across fields the schema
    // cannot state, such as an entry's `classes` needing `clients.classes` or fractions that must
    // add up to 1 (scenario-gen.ts fixes the commonest, one of servers.count and servers.list, in half).
    expect(valid).toBeGreaterThan(fuzzRuns(2500) * 0.015);
  });

  it("answers files with edited bytes (encodings, byte order marks, flips, cuts) the same way", () => {
    let n = 0;
    fc.assert(
      fc.property(byteCase, (c) => {
        const { bytes } = renderCase(c);
        const file = join(dir, `bytes-${n++ % 8}.json`);
        writeFileSync(file, bytes);
        fail(loadProblems(() => loadScenarioFile(file), file).problems, bytes);
      }),
      { seed: fuzzSeed(0xb17e5), numRuns: fuzzRuns(600) },
    );
  });
});

/** Spawns of `lbsim validate FILE`, one file each. */
const SPAWNS = fuzzRuns(20);
/** Batches of files through the CLI module in one process each (cli-batch.mjs), and files per batch. */
const BATCHES = 5;
const PER_BATCH = fuzzRuns(60);

describe("lbsim validate fuzz (the built CLI)", () => {
  const cases = fc.sample(scenarioCase(), { seed: fuzzSeed(0xc11), numRuns: SPAWNS + BATCHES * PER_BATCH });
  const files = cases.map((c, i) => {
    const file = join(dir, `validate-${i}.json`);
    writeFileSync(file, renderCase(c).bytes);
    return file;
  });

  /** Problems with one validate run of `file`. */
  function validateProblems(r: CliResult, file: string, c: ScenarioCase): string[] {
    const found = cliProblems(r);
    if (r.status === 0 && !r.stdout.startsWith(`${file}: ok\n`)) found.push(`exit 0 without "${file}: ok": ${r.stdout.slice(0, 200)}`);
    if (r.status === 2 && !r.stderr.startsWith(`lbsim: ${file}`)) found.push(`exit 2 with a message not naming the file: ${r.stderr.slice(0, 300)}`);
    if (r.status === 2 && r.stderr.trimEnd().split("\n").length > 25) found.push("more than 25 lines on stderr");
    return found.length > 0 ? [...found, `--- case ---\n${fc.stringify(c).slice(0, 3000)}`] : [];
  }

  it(`gives exit 0 or 2, never 1 or a stack, for ${SPAWNS} files in their own process`, async () => {
    const results = await inParallel(files.slice(0, SPAWNS).map((file) => () => runCli(["validate", file], { timeoutMs: 20_000 })));
    const found = results.flatMap((r, i) => validateProblems(r, files[i], cases[i]));
    expect(found.join("\n")).toBe("");
  });

  it(`does the same for ${BATCHES * PER_BATCH} files, a batch to a process`, async () => {
    const batches = Array.from({ length: BATCHES }, (_, b) => {
      const start = SPAWNS + b * PER_BATCH;
      const list = join(dir, `batch-${b}.json`);
      writeFileSync(list, JSON.stringify(files.slice(start, start + PER_BATCH).map((f) => ["validate", f])));
      return { start, list };
    });
    const outputs = await inParallel(
      batches.map(({ list }) => async () => {
        const stdout = await new Promise<string>((resolve, reject) =>
          execFile(process.execPath, [join(root, "test/fuzz/cli-batch.mjs"), join(root, "dist/cli.js"), list], { maxBuffer: 256 * 2 ** 20, timeout: 60_000 }, (error, out, err) =>
            error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
          ),
        );
        return JSON.parse(stdout) as { status: number; stdout: string; stderr: string }[];
      }),
    );
    const found = outputs.flatMap((results, b) =>
      results.flatMap((r, i) => {
        const k = batches[b].start + i;
        return validateProblems({ ...r, signal: null, ms: 0 }, files[k], cases[k]);
      }),
    );
    expect(outputs.flat()).toHaveLength(BATCHES * PER_BATCH);
    expect(found.join("\n")).toBe("");
  });
});
