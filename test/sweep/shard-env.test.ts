import { describe, expect, it } from "vitest";
import { shardFromEnvironment } from "../../cli/shard-env.js";

// The variables as each engine sets them. Slurm's were recorded from sbatch 22.05 on a one-node
// cluster (test/slurm/): --array=2-10:4 gives MIN 2, MAX 10, STEP 4, COUNT 3; --array=1,3,8 gives
// MIN 1, MAX 8, STEP 1, COUNT 3.
describe("--shard auto", () => {
  describe("Slurm job arrays", () => {
    it("--array=1-8: task 4 is shard 4/8", () => {
      const env = { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "8", SLURM_ARRAY_TASK_STEP: "1", SLURM_ARRAY_TASK_COUNT: "8" };
      expect(shardFromEnvironment(env)).toEqual({ shard: { index: 4, count: 8 }, source: "SLURM_ARRAY_TASK_ID=4 (min 1, count 8)" });
    });

    it("--array=2-9: task 4 is the third, shard 3/8", () => {
      const env = { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "2", SLURM_ARRAY_TASK_MAX: "9", SLURM_ARRAY_TASK_COUNT: "8" };
      expect(shardFromEnvironment(env)).toEqual({ shard: { index: 3, count: 8 }, source: "SLURM_ARRAY_TASK_ID=4 (min 2, count 8)" });
    });

    it("--array=2-10:4: task 6 is shard 2/3", () => {
      const env = { SLURM_ARRAY_TASK_ID: "6", SLURM_ARRAY_TASK_MIN: "2", SLURM_ARRAY_TASK_MAX: "10", SLURM_ARRAY_TASK_STEP: "4", SLURM_ARRAY_TASK_COUNT: "3" };
      expect(shardFromEnvironment(env)).toEqual({ shard: { index: 2, count: 3 }, source: "SLURM_ARRAY_TASK_ID=6 (min 2, step 4, count 3)" });
    });

    it("refuses a list of indices (--array=1,3,8), whose tasks do not know their place", () => {
      const env = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "8", SLURM_ARRAY_TASK_STEP: "1", SLURM_ARRAY_TASK_COUNT: "3" };
      expect(() => shardFromEnvironment(env)).toThrow(/not an evenly spaced range .*--array=1-N/);
    });

    it("names a missing or malformed variable", () => {
      expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" })).toThrow("--shard auto: SLURM_ARRAY_TASK_MIN is not set");
      expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "three", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" })).toThrow('SLURM_ARRAY_TASK_ID="three" is not a whole number');
    });
  });

  describe("Kubernetes Indexed Jobs", () => {
    it("JOB_COMPLETION_INDEX counts from 0; the count comes from LBSIM_SHARD_COUNT", () => {
      expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", LBSIM_SHARD_COUNT: "4" }).shard).toEqual({ index: 1, count: 4 });
      expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "3", LBSIM_SHARD_COUNT: "4" })).toEqual({
        shard: { index: 4, count: 4 },
        source: "JOB_COMPLETION_INDEX=3 (Kubernetes Indexed Job, counted from 0; count from LBSIM_SHARD_COUNT=4)",
      });
    });

    it("says to pass spec.completions when the count is missing, and refuses an index past it", () => {
      expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "2" })).toThrow(/does not give a pod the Job's completion count; set LBSIM_SHARD_COUNT .* spec.completions/);
      expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "4", LBSIM_SHARD_COUNT: "4" })).toThrow("shard 5/4 does not exist");
    });
  });

  describe("AWS Batch array jobs", () => {
    it("AWS_BATCH_JOB_ARRAY_INDEX counts from 0, with the parent's AWS_BATCH_JOB_ARRAY_SIZE", () => {
      expect(shardFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: "2", AWS_BATCH_JOB_ARRAY_SIZE: "8", AWS_BATCH_JOB_ID: "x:2" })).toEqual({
        shard: { index: 3, count: 8 },
        source: "AWS_BATCH_JOB_ARRAY_INDEX=2 (AWS Batch array job, counted from 0; size from AWS_BATCH_JOB_ARRAY_SIZE=8)",
      });
    });

    it("takes LBSIM_SHARD_COUNT where the size is missing, and says so when both are", () => {
      expect(shardFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: "0", LBSIM_SHARD_COUNT: "2" }).shard).toEqual({ index: 1, count: 2 });
      expect(() => shardFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: "0" })).toThrow("AWS_BATCH_JOB_ARRAY_SIZE is not; set LBSIM_SHARD_COUNT");
    });
  });

  it("outside any batch engine, names every variable it looked for", () => {
    const error = (() => {
      try {
        shardFromEnvironment({ PATH: "/usr/bin" });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const name of ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX", "LBSIM_SHARD_COUNT", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", "--shard K/N"])
      expect(error).toContain(name);
  });

  it("says why a batch job that is not an array has no shard", () => {
    expect(() => shardFromEnvironment({ SLURM_JOB_ID: "12" })).toThrow("this Slurm job is not a job array (sbatch --array=1-N)");
    expect(() => shardFromEnvironment({ AWS_BATCH_JOB_ID: "abc" })).toThrow("this AWS Batch job is not an array job");
    expect(() => shardFromEnvironment({ KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toThrow("the Job needs completionMode: Indexed");
  });

  it("refuses the indices of two engines at once; empty variables count as unset", () => {
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "1", LBSIM_SHARD_COUNT: "4", AWS_BATCH_JOB_ARRAY_INDEX: "1", AWS_BATCH_JOB_ARRAY_SIZE: "4" })).toThrow(/more than one batch engine/);
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "", JOB_COMPLETION_INDEX: "1", LBSIM_SHARD_COUNT: "4" }).shard).toEqual({ index: 2, count: 4 });
  });
});
