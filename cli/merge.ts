import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ShardInput } from "../reports/merge-shards.js";
import { fsReason, isFsError } from "../reports/output-dir.js";
import { parseShardFile } from "../reports/shard-file.js";
import { InputError } from "../sim/scenario/errors.js";

export interface MergeFlags {
  out?: string;
  json?: boolean;
}

/**
 * `lbsim merge`: the shard outputs of one sweep (`lbsim sweep --shard K/N`) combined into what the
 * unsharded sweep writes, byte for byte: report.html, sweep.csv and sweep.json. Shards of
 * different sweeps, a missing or repeated shard, or a folder that holds no shard are refused
 * before anything is written.
 */
export async function merge(dirs: string[], flags: MergeFlags): Promise<void> {
  const { mergeShards, sweepFiles, renderSweepTable, checkOutputDir, writeOutputSet } = await import("../reports/index.js");
  if (flags.out !== undefined) checkOutputDir(flags.out);
  const shards = dirs.map(readShard);
  const sweep = mergeShards(shards);
  const out = flags.out ?? join("lbsim-out", `${sweep.scenario}-sweep`);
  const target = existsSync(out) ? realpathSync(out) : resolve(out);
  const overlapping = dirs.find((dir) => realpathSync(dir) === target);
  if (overlapping !== undefined) throw new InputError(`--out ${out}: is the shard folder ${overlapping}; choose another folder for the merged outputs`);
  checkOutputDir(out);
  const files = sweepFiles(sweep);
  const written = await writeOutputSet(out, files);
  const summary = `${renderSweepTable(sweep)}\nmerged ${shards.length} shard${shards.length === 1 ? "" : "s"}; wrote ${written.join(", ")}\n`;
  if (flags.json) {
    process.stderr.write(summary);
    process.stdout.write(files["sweep.json"]!);
  } else {
    process.stdout.write(summary);
  }
}

/** The shard file in `dir`, or an InputError saying what the folder is instead. */
function readShard(dir: string): ShardInput {
  const notShard = (what: string) => new InputError(`merge: ${dir} is not a shard output of lbsim sweep --shard K/N: ${what}`);
  let text: string;
  try {
    if (!statSync(dir).isDirectory()) throw notShard("it is not a folder");
    text = readFileSync(join(dir, "shard.json"), "utf8");
  } catch (error) {
    if (!isFsError(error)) throw error;
    if (error.code !== "ENOENT") throw new InputError(`merge: cannot read ${join(dir, "shard.json")}: ${fsReason(error)}`);
    if (!existsSync(dir)) throw notShard("no such folder");
    if (existsSync(join(dir, "partial.json"))) throw notShard("it holds an interrupted shard (partial.json); finish it by running its lbsim sweep command again with --resume");
    if (existsSync(join(dir, "sweep.json"))) throw notShard("it holds the outputs of a whole sweep (sweep.json), not of a shard");
    throw notShard("it holds no shard.json");
  }
  const file = parseShardFile(text);
  if ("problem" in file) throw notShard(`its shard.json is not one lbsim wrote (${file.problem})`);
  return { dir, file };
}
