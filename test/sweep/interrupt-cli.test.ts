import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lbsim, root } from "../cli-run.js";
import { NO_BATCH_ENGINE, expectNothingAt, expectSameFiles, smallScenario, tmp } from "./sweep-fixture.js";

const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT;

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the CLI and sends it `signal` after `delay` ms. */
function signalled(args: string[], delay: number, signal: Signal): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [`${root}dist/cli.js`, ...args], { env: { ...process.env, ...NO_BATCH_ENGINE }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(signal), delay);
    child.on("error", fail);
    child.on("close", (status, sig) => {
      clearTimeout(timer);
      done({ status, signal: sig, stderr });
    });
  });
}

/**
 * Interrupts the command once some of its runs have finished and others have not. How long that
 * takes depends on the machine, so the delay adapts: later when the signal came before any run
 * finished (or before the CLI was listening), earlier when every run had already finished.
 */
async function interrupt(args: string[], out: string, signal: Signal): Promise<Outcome> {
  let delay = 1200;
  const seen: string[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    rmSync(out, { recursive: true, force: true });
    const r = await signalled(args, delay, signal);
    seen.push(`${delay} ms: exit ${r.status ?? r.signal} ${r.stderr.trim()}`);
    const kept = r.status === EXIT[signal] && existsSync(join(out, "partial.json")) ? partial(out) : undefined;
    if (kept && kept.finished.length < kept.runs) return r;
    // Finished, or stopped while writing the outputs (every run kept): too late.
    if (r.status === 0 || kept) delay /= 2;
    else if (r.signal === signal || r.stderr.includes("before any run finished")) delay *= 1.7;
    else break;
  }
  throw new Error(`could not interrupt between runs:\n${seen.join("\n")}`);
}

/** partial.json's note and counts. */
function partial(out: string): { partial: boolean; runs: number; finished: unknown[] } {
  return JSON.parse(readFileSync(join(out, "partial.json"), "utf8"));
}

let dir: string, scenario: string;
beforeAll(() => {
  dir = tmp("lbsim-interrupt-");
  // Runs of about a second at 4h, a third of one at 1h, a fiftieth at 3m.
  scenario = smallScenario(dir, { duration: "1h", warmup: "1m", replications: 1, clients: { visitsPerSecond: 10, requestsPerVisit: 10, think: "5s" }, events: [] });
});

describe.each([
  {
    command: "sweep",
    signal: "SIGINT" as const,
    // Two quick runs at 3m, then two slow ones at 4h, on two worker threads: a signal while the slow ones run stops the workers.
    args: ["sweep", "--vary", "duration=3m,4h", "--workers", "2"],
  },
  {
    command: "run",
    signal: "SIGTERM" as const,
    // One thread: the run under way when the signal comes finishes, the next does not start.
    args: ["run", "--replications", "3", "--workers", "1"],
  },
])("lbsim $command interrupted by $signal", ({ command, signal, args }) => {
  const line = (out: string, ...more: string[]) => [args[0], scenario, ...args.slice(1), "--quiet", "--out", out, ...more];

  it("keeps the finished runs in partial.json, and --resume writes what an uninterrupted run writes", { timeout: 120_000 }, async () => {
    const whole = join(dir, `${command}-whole`);
    expect(lbsim(line(whole), { env: NO_BATCH_ENGINE }).status).toBe(0);

    const out = join(dir, `${command}-interrupted`);
    const r = await interrupt(line(out), out, signal);
    const counts = /^lbsim: interrupted \((SIG\w+)\) after (\d+) of (\d+) runs; kept them in (.*)\. To finish, run the same command with --resume:\n {2}lbsim (.*)\n$/.exec(r.stderr);
    expect(counts, r.stderr).not.toBeNull();
    const [, received, done, total, kept, again] = counts!;
    expect(received).toBe(signal);
    expect(kept).toBe(join(out, "partial.json"));
    expect(again).toBe(`${line(out).join(" ")} --resume`);
    expect(Number(done)).toBeGreaterThan(0);
    expect(Number(done)).toBeLessThan(Number(total));
    // Only the partial output, marked as such, holding what the message says.
    expect(readdirSync(out)).toEqual(["partial.json"]);
    const kept1 = partial(out);
    expect(kept1).toMatchObject({ partial: true, runs: Number(total) });
    expect(kept1.finished).toHaveLength(Number(done));

    // A resume of another batch (another seed) is refused and leaves the partial output alone.
    const before = readFileSync(join(out, "partial.json"));
    const other = lbsim([...line(out, "--resume"), "--seed", "99"], { env: NO_BATCH_ENGINE });
    expect(other.status).toBe(2);
    expect(other.stderr).toContain(`lbsim: --resume: ${join(out, "partial.json")} is of another ${command}: the scenario, a flag that changes it`);
    expect(readFileSync(join(out, "partial.json")).equals(before)).toBe(true);

    const resumed = lbsim(line(out, "--resume"), { env: NO_BATCH_ENGINE });
    expect(resumed.status, resumed.stderr).toBe(0);
    // The outputs, byte for byte, and no partial.json any more.
    expectSameFiles(whole, out);
  });

  it("--resume with nothing to resume is refused and writes nothing", () => {
    const out = join(dir, `${command}-nothing`);
    const r = lbsim(line(out, "--resume"), { env: NO_BATCH_ENGINE });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`lbsim: --resume: nothing to resume: ${out} holds no interrupted run (no partial.json); run the command without --resume\n`);
    expectNothingAt(out);
  });
});
