import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lbsim, root } from "../cli-run.js";
import { NO_BATCH_ENGINE, expectSameFiles, smallScenario, tmp } from "../sweep/sweep-fixture.js";
import { startCluster, type Cluster } from "./cluster.js";

// A sweep submitted to a real Slurm as a job array, each task running `lbsim sweep --shard auto`,
// then merged: the same bytes as the sweep run on one machine. Needs slurm-wlm and munge (.ci/run
// installs them) and root; without them it fails, saying so.
const SHARDS = 3;
let dir: string, cluster: Cluster | undefined;

beforeAll(async () => {
  dir = tmp("lbsim-slurm-");
  cluster = await startCluster(dir);
});

afterAll(async () => {
  await cluster?.stop();
});

/** The array job's tasks as scontrol reports them: index, state and exit code. */
function tasks(job: string): { task: number; state: string; exit: string }[] {
  return cluster!
    .run("scontrol", ["-o", "show", "job", job])
    .trim()
    .split("\n")
    .map((line) => ({ task: Number(/ArrayTaskId=(\d+)/.exec(line)?.[1]), state: /JobState=(\S+)/.exec(line)?.[1] ?? "?", exit: /ExitCode=(\S+)/.exec(line)?.[1] ?? "?" }))
    .sort((a, b) => a.task - b.task);
}

describe("a sweep as a Slurm job array", () => {
  it(`sbatch --array=1-${SHARDS} with --shard auto, then lbsim merge, gives the single-machine sweep byte for byte`, { timeout: 60_000 }, async () => {
    const scenario = smallScenario(dir);
    const sweep = ["sweep", scenario, "--vary", "servers.count=2..5", "--vary", "clients.nat.fraction=0,0.5", "--quiet"];
    // A batch script like the README's, with this machine's paths.
    const script = join(dir, "sweep.sbatch");
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        `#SBATCH --array=1-${SHARDS}`,
        `#SBATCH --output=${dir}/log-%a.txt`,
        "#SBATCH --cpus-per-task=1",
        `exec ${process.execPath} ${root}dist/cli.js ${sweep.join(" ")} --workers 1 --shard auto --out ${dir}/shard-$SLURM_ARRAY_TASK_ID`,
        "",
      ].join("\n"),
    );
    const job = cluster!.run("sbatch", ["--parsable", `--chdir=${dir}`, script], NO_BATCH_ENGINE).trim().split(";")[0];
    expect(job).toMatch(/^\d+$/);

    // Meanwhile, the same sweep on this machine.
    const whole = join(dir, "whole");
    const local = lbsim([...sweep, "--out", whole], { env: NO_BATCH_ENGINE });
    expect(local.status, local.stderr).toBe(0);

    const end = Date.now() + 45_000;
    while (cluster!.run("squeue", ["-h", "-j", job]).trim() !== "") {
      if (Date.now() > end) throw new Error(`the array job is still queued or running after 45 s:\n${cluster!.run("squeue", ["-j", job])}\n${cluster!.logs()}`);
      await sleep(200);
    }
    const logs = Array.from({ length: SHARDS }, (_, i) => readFileSync(join(dir, `log-${i + 1}.txt`), "utf8"));
    expect(tasks(job), logs.join("\n")).toEqual(Array.from({ length: SHARDS }, (_, i) => ({ task: i + 1, state: "COMPLETED", exit: "0:0" })));
    // Each task says which shard Slurm's variables gave it.
    for (let k = 1; k <= SHARDS; k++) expect(logs[k - 1]).toContain(`lbsim: shard ${k}/${SHARDS} from SLURM_ARRAY_TASK_ID=${k} (min 1, count ${SHARDS})\n`);

    const merged = join(dir, "merged");
    const r = lbsim(["merge", ...Array.from({ length: SHARDS }, (_, i) => join(dir, `shard-${i + 1}`)), "--out", merged]);
    expect(r.status, r.stderr).toBe(0);
    expectSameFiles(whole, merged);
  });
});
