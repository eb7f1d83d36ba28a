import { InputError } from "../sim/scenario/errors.js";
import { describeShard, shardOf } from "../sim/sweep/shard.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import type { ShardFile } from "./shard-file.js";

/** A shard output folder as given on the command line and the shard file read from it. */
export interface ShardInput {
  dir: string;
  file: ShardFile;
}

/** `quickstart, seed 1, 2 replications, servers.count × 3, lbsim 0.1.0, fingerprint 3f2a…`: what tells one sweep from another. */
function describeSweep({ file }: ShardInput): string {
  const { sweep } = file;
  const grid = sweep.vary.map((v) => `${v.path} × ${v.values.length}`).join(", ");
  return `${sweep.scenario}, seed ${sweep.seed}, ${sweep.replications} replications, ${grid}, lbsim ${file.lbsim}, fingerprint ${file.fingerprint.slice(7, 19)}…`;
}

/** The shards by `key`, in the order first seen (Map.groupBy is not in Node 20). */
function groupBy<K>(shards: readonly ShardInput[], key: (s: ShardInput) => K): Map<K, ShardInput[]> {
  const groups = new Map<K, ShardInput[]>();
  for (const s of shards) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
  return groups;
}

function listed(dirs: readonly string[]): string {
  return dirs.length <= 1 ? dirs.join("") : `${dirs.slice(0, -1).join(", ")} and ${dirs.at(-1)}`;
}

/**
 * The whole sweep from its shards: every shard of one sweep (the same fingerprint, split the same
 * number of ways), each once. The result is what the unsharded sweep computes, so its reports are
 * the same bytes. Throws InputError naming what is wrong, before anything is written.
 */
export function mergeShards(shards: readonly ShardInput[]): SweepResult {
  const sweeps = groupBy(shards, (s) => s.file.fingerprint);
  if (sweeps.size > 1) {
    const groups = [...sweeps.values()].map((group) => `${listed(group.map((s) => s.dir))} (${describeSweep(group[0])})`);
    throw new InputError(`merge: the folders hold shards of ${sweeps.size} different sweeps: ${groups.join("; ")}. Merge the shards of one sweep, made with the same command line and lbsim version.`);
  }
  const count = shards[0].file.shard.count;
  const splits = shards.filter((s) => s.file.shard.count !== count);
  if (splits.length > 0)
    throw new InputError(`merge: the shards split the sweep different ways: ${shards.map((s) => `${s.dir} is ${describeShard(s.file.shard)}`).join(", ")}`);
  const byIndex = groupBy(shards, (s) => s.file.shard.index);
  for (const [index, group] of byIndex)
    if (group.length > 1) throw new InputError(`merge: shard ${index}/${count} is given ${group.length} times: ${listed(group.map((s) => s.dir))}`);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) {
    const shown = missing.length > 20 ? `${missing.slice(0, 20).join(", ")}, ...` : missing.join(", ");
    throw new InputError(`merge: ${missing.length} of the ${count} shards ${missing.length === 1 ? "is" : "are"} missing: ${shown} (of 1 to ${count})`);
  }
  const total = shards[0].file.points;
  for (const { dir, file } of shards) {
    const expected = Array.from({ length: total }, (_, i) => i).filter((i) => shardOf(i, count) === file.shard.index);
    const actual = file.sweep.points.map((p) => p.index);
    if (actual.length !== expected.length || actual.some((p, i) => p !== expected[i]))
      throw new InputError(`merge: ${dir}/shard.json does not hold the grid points of shard ${describeShard(file.shard)} (${expected.length} of ${total}); was it edited?`);
  }
  const points = shards.flatMap((s) => s.file.sweep.points).sort((a, b) => a.index - b.index);
  return { ...shards[0].file.sweep, points };
}
