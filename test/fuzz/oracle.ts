// What every fuzz suite asks of an answer to bad input, and how it runs the built CLI.
import { spawn } from "node:child_process";
import { InputError } from "../../sim/scenario/errors.js";
import { root } from "../cli-run.js";

/** Fixed seeds keep every run of `npm test` the same; LBSIM_FUZZ_SEED explores others, LBSIM_FUZZ_SCALE runs more cases. */
export function fuzzSeed(fallback: number): number {
  const given = process.env.LBSIM_FUZZ_SEED;
  return given === undefined ? fallback : Number(given);
}
export function fuzzRuns(n: number): number {
  return Math.max(1, Math.round(n * Number(process.env.LBSIM_FUZZ_SCALE ?? 1)));
}

/** Longest line and most lines an error message may have: a mistake is explained in a screenful. */
export const MAX_LINE = 1200;
export const MAX_LINES = 25;
/** The hang detector: a generous bound per case, not a performance test. */
export const MAX_CASE_MS = 2000;

const STACK_LINE = /^\s+at /m;

/** Problems with an error message as a user reads it (empty when it is fine). */
export function messageProblems(message: string): string[] {
  const found: string[] = [];
  const lines = message.split("\n");
  if (message.trim() === "") found.push("the message is empty");
  if (STACK_LINE.test(message)) found.push("the message holds a stack trace");
  if (lines.length > MAX_LINES) found.push(`the message has ${lines.length} lines (at most ${MAX_LINES})`);
  const long = lines.find((l) => l.length > MAX_LINE);
  if (long) found.push(`a message line has ${long.length} characters (at most ${MAX_LINE}): ${long.slice(0, 200)}…`);
  // Internal text leaking into a message: zod's tag for its own wording, or an object printed by String().
  if (message.includes("\u0000")) found.push("the message holds a NUL character");
  if (message.includes("[object Object]")) found.push('the message says "[object Object]"');
  return found;
}

/** Problems with an InputError for `file`: it must name the file on every line and be bounded. */
export function inputErrorProblems(error: unknown, file: string, requiredKeys: ReadonlySet<string>): string[] {
  if (!(error instanceof InputError)) {
    const e = error as Error;
    return [`threw ${e?.name ?? typeof error} instead of InputError: ${e?.stack ?? String(error)}`];
  }
  const found = messageProblems(error.message);
  for (const line of error.message.split("\n")) {
    if (!line.startsWith(file) && !/^\.\.\. and \d+ more/.test(line)) found.push(`a line does not name the file ${JSON.stringify(file)}: ${line.slice(0, 300)}`);
    // "missing required key" must name a key the schema requires somewhere: any other key has a default or is optional.
    for (const m of line.matchAll(/missing required key "((?:[^"\\]|\\.)*)"/g)) {
      const key = JSON.parse(`"${m[1]}"`) as string;
      if (!requiredKeys.has(key)) found.push(`says key ${JSON.stringify(key)} is required, which the schema never requires: ${line.slice(0, 300)}`);
    }
  }
  return found;
}

/** Fails with every problem found and the input that caused them (cut short). */
export function fail(problems: string[], input: string | Uint8Array): void {
  if (problems.length === 0) return;
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  throw new Error(`${problems.join("\n")}\n--- input (${text.length} chars) ---\n${text.slice(0, 1500)}${text.length > 1500 ? "…" : ""}`);
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI (`npm test` builds first), asynchronously so a few can run at once. */
export function runCli(args: string[], options: { cwd?: string; input?: string | Uint8Array; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${root}dist/cli.js`, ...args], { cwd: options.cwd ?? root, env: { ...process.env, FORCE_COLOR: "0" }, timeout: options.timeoutMs ?? 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    // A child that exits before reading all of stdin closes the pipe: not the child's fault.
    child.stdin.on("error", () => {});
    child.on("close", (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), ms: performance.now() - started }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `tasks` with at most `concurrency` at once, results in order. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], concurrency = 2): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}

/** Problems with how the CLI ended: 0 or 2 (2 with a "lbsim:" or usage message), never 1 or a signal, no stack, bounded output. */
export function cliProblems(r: CliResult, maxOutput = 64 * 1024): string[] {
  const found: string[] = [];
  if (r.signal) found.push(`killed by ${r.signal} after ${r.ms.toFixed(0)} ms (a hang?)`);
  else if (r.status !== 0 && r.status !== 2) found.push(`exit ${r.status}, expected 0 or 2`);
  if (r.status === 2 && !/^(lbsim: |error: )/.test(r.stderr)) found.push(`exit 2 without a "lbsim:" message: ${r.stderr.slice(0, 300)}`);
  if (STACK_LINE.test(r.stderr)) found.push("stderr holds a stack trace");
  if (r.stdout.length > maxOutput) found.push(`stdout has ${r.stdout.length} characters`);
  if (r.stderr.length > maxOutput) found.push(`stderr has ${r.stderr.length} characters`);
  if (r.status === 2) found.push(...messageProblems(r.stderr.trimEnd()).filter((p) => !p.includes("lines")));
  if (found.length > 0) found.push(`--- stderr ---\n${r.stderr.slice(0, 2000)}`);
  return found;
}
