import type { Scenario } from "./scenario.js";

/** The document with its `name` written, first where the file had none (a scenario without one is named after its file, and the file it is embedded in is named otherwise). */
export function withName(document: Record<string, unknown>, name: string): Record<string, unknown> {
  return "name" in document ? { ...document, name } : { name, ...document };
}

/**
 * The scenario as it runs, as a document the schema accepts: the checked document (the file's
 * JSON with its overrides) with the name, seed and replications written out and exactly the
 * strategy entries run, in their order, as written. Loading it runs the same runs.
 */
export function scenarioDocument(s: Scenario): Record<string, unknown> {
  return { ...withName(s.document, s.name), seed: s.seed, replications: s.replications, strategies: s.strategies.map((e) => e.written) };
}
