export { parseVary, gridPoints, pointOverrides, describePoint, valueText, MAX_GRID_POINTS, type Vary, type GridPoint } from "./grid.js";
export { sweepResult, type SweepResult, type SweepPoint, type SweepBase } from "./sweep-result.js";
export { parseShard, checkShard, shardOf, shardPoints, describeShard, MAX_SHARDS, type Shard } from "./shard.js";
export { batchFingerprint, type BatchIdentity } from "./fingerprint.js";
