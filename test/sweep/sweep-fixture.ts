import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

/** A fresh folder for one test's files. */
export const tmp = (prefix = "lbsim-shards-") => mkdtempSync(join(tmpdir(), prefix));

/** A small scenario (a few tenths of a second a run) written into `dir`, with `extra` keys. */
export function smallScenario(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, "small.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "small",
      seed: 5,
      duration: "5m",
      warmup: "1m",
      replications: 2,
      clients: { visitsPerSecond: 3, requestsPerVisit: 6, think: "4s", nat: { fraction: 0.3, groupSize: 20 } },
      servers: { count: 3 },
      strategies: ["round-robin", "cookie-insert"],
      events: [{ at: "3m", crash: "s1" }],
      ...extra,
    }),
  );
  return file;
}

/** The batch engines' variables `--shard auto` reads, unset, so the tests do not depend on where they run. */
export const NO_BATCH_ENGINE = Object.fromEntries(
  [
    "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT", "SLURM_JOB_ID",
    "JOB_COMPLETION_INDEX", "LBSIM_SHARD_COUNT", "KUBERNETES_SERVICE_HOST", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", "AWS_BATCH_JOB_ID",
  ].map((name) => [name, undefined]),
);

/** Every file of folder `a` is in `b` with the same bytes, and `b` has no others. */
export function expectSameFiles(a: string, b: string): void {
  const names = readdirSync(a).sort();
  expect(readdirSync(b).sort()).toEqual(names);
  for (const name of names) expect(readFileSync(join(b, name)).equals(readFileSync(join(a, name))), `${name} differs between ${a} and ${b}`).toBe(true);
}

/** Nothing at `path`: a refused command wrote nothing. */
export function expectNothingAt(path: string): void {
  expect(existsSync(path), `${path} exists`).toBe(false);
}
