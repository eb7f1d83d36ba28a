import { z } from "zod";
import type { Shard } from "../sim/sweep/shard.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { parseFormatFile, renderFormatFile } from "./format-file.js";

/** What `lbsim sweep --shard K/N` writes: its share of the grid's results, for `lbsim merge`. */
export interface ShardFile {
  /** The lbsim version that wrote it. */
  lbsim: string;
  /** The whole sweep's fingerprint (`batchFingerprint`): shards of one sweep share it. */
  fingerprint: string;
  shard: Shard;
  /** Grid points of the whole sweep. */
  points: number;
  /** The sweep as the unsharded run would report it, with only this shard's points, in grid order. */
  sweep: SweepResult;
}

const FORMAT = "lbsim shard";

/** shard.json: lossless JSON (sim/lossless-json.ts), so the merged reports are the unsharded ones byte for byte. */
export function renderShardFile(file: ShardFile): string {
  return renderFormatFile(FORMAT, file);
}

const positive = z.number().int().min(1);
export const fingerprintSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "not a sha256 fingerprint");
export const shardSchema = z.object({ index: positive, count: positive }).refine((s) => s.index <= s.count, "shard K/N needs K ≤ N");

const shardFileSchema = z.object({
  format: z.literal(FORMAT),
  lbsim: z.string(),
  fingerprint: fingerprintSchema,
  shard: shardSchema,
  points: positive,
  sweep: z.looseObject({ vary: z.array(z.looseObject({ path: z.string(), values: z.array(z.unknown()) })), points: z.array(z.looseObject({ index: z.number().int().min(0) })) }),
});

/** The shard file's contents, or why `text` is not one. */
export function parseShardFile(text: string): ShardFile | { problem: string } {
  return parseFormatFile(text, FORMAT, shardFileSchema) as ShardFile | { problem: string };
}
