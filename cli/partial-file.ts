import { z } from "zod";
import { fingerprintSchema, shardSchema } from "../reports/shard-file.js";
import { parseFormatFile, renderFormatFile } from "../reports/format-file.js";
import type { Job, RunOutput } from "../sim/index.js";
import type { Shard } from "../sim/sweep/shard.js";

/** One finished run of an interrupted batch: its grid point (0 for `run`), strategy entry and replication, and its output. */
export interface FinishedRun extends Job {
  output: RunOutput;
}

/**
 * partial.json: what an interrupted `lbsim run` or `lbsim sweep` kept, so `--resume` runs only the
 * rest. It stands in the output folder instead of the reports until the batch is finished.
 */
export interface PartialFile {
  lbsim: string;
  /** `run` or `sweep`. */
  command: string;
  /** The batch's fingerprint (`batchFingerprint`); a resume must give the same. */
  fingerprint: string;
  /** The shard of a sharded sweep, else null. */
  shard: Shard | null;
  /** Runs in the whole batch, and those finished. */
  runs: number;
  finished: FinishedRun[];
}

const FORMAT = "lbsim partial";

export function renderPartialFile(file: PartialFile): string {
  const note = `interrupted after ${file.finished.length} of ${file.runs} runs; run the same command with --resume to finish`;
  return renderFormatFile(FORMAT, { partial: true, note, ...file });
}

const index = z.number().int().min(0);
const partialFileSchema = z.object({
  format: z.literal(FORMAT),
  partial: z.literal(true),
  note: z.string(),
  lbsim: z.string(),
  command: z.string(),
  fingerprint: fingerprintSchema,
  shard: shardSchema.nullable(),
  runs: z.number().int().min(1),
  finished: z.array(z.object({ point: index, entry: index, replication: index, output: z.looseObject({}) })),
});

/** The partial file's contents, or why `text` is not one. */
export function parsePartialFile(text: string): PartialFile | { problem: string } {
  const parsed = parseFormatFile(text, FORMAT, partialFileSchema);
  if ("problem" in parsed) return parsed;
  const { partial: _, note: __, ...file } = parsed;
  return file as unknown as PartialFile;
}
