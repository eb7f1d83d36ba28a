import { createHash } from "node:crypto";
import { toLosslessJson } from "../lossless-json.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Vary } from "./grid.js";

/** What decides a batch's results to the byte; anything else on the command line (workers, budgets, --out) does not. */
export interface BatchIdentity {
  /** `run` or `sweep`: the same scenario run and swept writes different files. */
  command: string;
  /** The lbsim version: another version may simulate differently. */
  version: string;
  /** Every grid point's scenario as loaded and resolved (a run's one), with its strategies, seed and replications. */
  scenarios: readonly Scenario[];
  /** The varied paths and their values, in order (none for a run). */
  vary: readonly Pick<Vary, "path" | "values">[];
  /** The strategy the others are compared with (`--baseline`; absent: the first). */
  baseline?: string;
}

/**
 * `sha256:<hex>` over the batch's identity, so shards and interrupted runs of one sweep can be told
 * from those of another (another scenario file, seed, grid, strategy or version) before they are
 * combined. Resolved scenarios rather than the file's text: two files that load the same, or the
 * same file read from different paths on different machines, give the same fingerprint.
 */
export function batchFingerprint(identity: BatchIdentity): string {
  const text = toLosslessJson({
    command: identity.command,
    version: identity.version,
    vary: identity.vary.map((v) => ({ path: v.path, values: v.values })),
    // What a scenario is, not how its file wrote it: the document and the entries' written form are left out.
    scenarios: identity.scenarios.map(({ document: _document, reproduces: _reproduces, ...scenario }) => ({
      ...scenario,
      strategies: scenario.strategies.map(({ written: _written, ...entry }) => entry),
    })),
    ...(identity.baseline === undefined ? {} : { baseline: identity.baseline }),
  });
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}
