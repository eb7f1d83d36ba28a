import { InputError } from "../sim/scenario/errors.js";
import { checkShard, type Shard } from "../sim/sweep/shard.js";

/** The shard `--shard auto` found, and where from, for the line it prints. */
export interface ShardFromEnvironment {
  shard: Shard;
  /** `SLURM_ARRAY_TASK_ID=4 (min 2, count 8)`. */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const FLAG = "--shard auto";

/**
 * The variable Kubernetes and (as a fallback) AWS Batch read the shard count from. Kubernetes puts
 * only a pod's index in its environment, not the Job's `spec.completions`; its maintainers'
 * answer is to copy the count into an environment variable of the pod template
 * (https://github.com/kubernetes/kubernetes/issues/106009).
 */
export const SHARD_COUNT = "LBSIM_SHARD_COUNT";

/** A variable that is set and not empty. */
function has(env: Env, name: string): boolean {
  return (env[name] ?? "").trim() !== "";
}

/** A whole number ≥ 0 from `name`; undefined when unset. */
function whole(env: Env, name: string, required: boolean): number | undefined {
  if (!has(env, name)) {
    if (required) throw new InputError(`${FLAG}: ${name} is not set`);
    return undefined;
  }
  const text = (env[name] as string).trim();
  if (!/^\d{1,9}$/.test(text)) throw new InputError(`${FLAG}: ${name}=${JSON.stringify(text.slice(0, 40))} is not a whole number`);
  return Number(text);
}

function counted(env: Env, name: string): number {
  const count = whole(env, name, true) as number;
  if (count < 1) throw new InputError(`${FLAG}: ${name}=${count}; an array has at least one task`);
  return count;
}

/**
 * Slurm job arrays (https://slurm.schedmd.com/job_array.html): each task has SLURM_ARRAY_TASK_ID,
 * and the array's SLURM_ARRAY_TASK_MIN, _MAX, _STEP and _COUNT (`sbatch --array=1-8`, `0-14:2`).
 * Shard K is the K-th index of the array, so any evenly spaced range works; a list of indices
 * (`--array=1,3,8`) does not say which of them a task is.
 */
function slurm(env: Env): ShardFromEnvironment {
  const id = whole(env, "SLURM_ARRAY_TASK_ID", true) as number;
  const min = whole(env, "SLURM_ARRAY_TASK_MIN", true) as number;
  const count = counted(env, "SLURM_ARRAY_TASK_COUNT");
  const step = whole(env, "SLURM_ARRAY_TASK_STEP", false) ?? 1;
  const max = whole(env, "SLURM_ARRAY_TASK_MAX", false);
  if (step < 1) throw new InputError(`${FLAG}: SLURM_ARRAY_TASK_STEP=${step}; a step is at least 1`);
  if ((max !== undefined && min + (count - 1) * step !== max) || id < min || (id - min) % step !== 0)
    throw new InputError(
      `${FLAG}: the job array's indices are not an evenly spaced range (SLURM_ARRAY_TASK_ID=${id}, min ${min}, max ${max ?? "unset"}, step ${step}, count ${count}), ` +
        "so the task's place in it is unknown; submit with --array=1-N (or a range with a step such as 0-14:2), or give --shard K/N",
    );
  const shard = { index: (id - min) / step + 1, count };
  checkShard(shard, FLAG);
  return { shard, source: `SLURM_ARRAY_TASK_ID=${id} (min ${min}${step === 1 ? "" : `, step ${step}`}, count ${count})` };
}

/**
 * A Kubernetes Indexed Job (`completionMode: Indexed`,
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode): the control
 * plane sets JOB_COMPLETION_INDEX, from 0 to `spec.completions` − 1
 * (https://kubernetes.io/docs/tasks/job/indexed-parallel-processing-static/); the count comes
 * from LBSIM_SHARD_COUNT, which the manifest sets to `spec.completions`.
 */
function kubernetes(env: Env): ShardFromEnvironment {
  const index = whole(env, "JOB_COMPLETION_INDEX", true) as number;
  if (!has(env, SHARD_COUNT))
    throw new InputError(
      `${FLAG}: JOB_COMPLETION_INDEX=${index} is set (a Kubernetes Indexed Job), but Kubernetes does not give a pod the Job's completion count; ` +
        `set ${SHARD_COUNT} in the pod template's env to the Job's spec.completions`,
    );
  const count = counted(env, SHARD_COUNT);
  const shard = { index: index + 1, count };
  checkShard(shard, FLAG);
  return { shard, source: `JOB_COMPLETION_INDEX=${index} (Kubernetes Indexed Job, counted from 0; count from ${SHARD_COUNT}=${count})` };
}

/**
 * AWS Batch array jobs (https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html): each
 * child job has AWS_BATCH_JOB_ARRAY_INDEX, from 0, and AWS_BATCH_JOB_ARRAY_SIZE, the parent's
 * array size (https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html); where the size
 * is missing, LBSIM_SHARD_COUNT gives it.
 */
function awsBatch(env: Env): ShardFromEnvironment {
  const index = whole(env, "AWS_BATCH_JOB_ARRAY_INDEX", true) as number;
  const sizeVariable = has(env, "AWS_BATCH_JOB_ARRAY_SIZE") || !has(env, SHARD_COUNT) ? "AWS_BATCH_JOB_ARRAY_SIZE" : SHARD_COUNT;
  if (!has(env, sizeVariable))
    throw new InputError(`${FLAG}: AWS_BATCH_JOB_ARRAY_INDEX=${index} is set (an AWS Batch array job), but AWS_BATCH_JOB_ARRAY_SIZE is not; set ${SHARD_COUNT} to the array size`);
  const count = counted(env, sizeVariable);
  const shard = { index: index + 1, count };
  checkShard(shard, FLAG);
  return { shard, source: `AWS_BATCH_JOB_ARRAY_INDEX=${index} (AWS Batch array job, counted from 0; size from ${sizeVariable}=${count})` };
}

const ENGINES = [
  { index: "SLURM_ARRAY_TASK_ID", looksFor: "SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT (Slurm job array)", read: slurm },
  { index: "JOB_COMPLETION_INDEX", looksFor: `JOB_COMPLETION_INDEX with ${SHARD_COUNT} (Kubernetes Indexed Job)`, read: kubernetes },
  { index: "AWS_BATCH_JOB_ARRAY_INDEX", looksFor: "AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE (AWS Batch array job)", read: awsBatch },
];

/** Why a batch job that is not an array gets no shard, when its variables show which engine it is. */
function hints(env: Env): string[] {
  const found: string[] = [];
  if (has(env, "SLURM_JOB_ID")) found.push("SLURM_JOB_ID is set but not SLURM_ARRAY_TASK_ID: this Slurm job is not a job array (sbatch --array=1-N)");
  if (has(env, "AWS_BATCH_JOB_ID")) found.push("AWS_BATCH_JOB_ID is set but not AWS_BATCH_JOB_ARRAY_INDEX: this AWS Batch job is not an array job (arrayProperties.size)");
  if (has(env, "KUBERNETES_SERVICE_HOST")) found.push("this is a Kubernetes pod without JOB_COMPLETION_INDEX: the Job needs completionMode: Indexed");
  return found;
}

/** The shard the batch engine this process runs under gives it: `--shard auto`. Throws InputError saying what it looked for. */
export function shardFromEnvironment(env: Env): ShardFromEnvironment {
  const present = ENGINES.filter((e) => has(env, e.index));
  if (present.length > 1)
    throw new InputError(`${FLAG}: the environment has the array indices of more than one batch engine (${present.map((e) => `${e.index}=${env[e.index]}`).join(", ")}); give --shard K/N`);
  if (present.length === 1) return present[0].read(env);
  const why = hints(env);
  throw new InputError(
    `${FLAG}: not running as a task of a batch array job${why.length > 0 ? ` (${why.join("; ")})` : ""}; looked for ${ENGINES.map((e) => e.looksFor).join(", ")}. ` +
      "Give --shard K/N to choose the shard yourself.",
  );
}
