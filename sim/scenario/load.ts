import { basename } from "node:path";
import { decodeText } from "./decode-text.js";
import { embeddedScenario, type Reproduced } from "./embedded.js";
import { formatPath, InputError, type Problem } from "./errors.js";
import { JsonDocument } from "./json-text.js";
import { clip, quote } from "./quote.js";
import { MAX_SCENARIO_BYTES, readBytes } from "./read-bytes.js";
import { compileScenario, type Scenario } from "./scenario.js";
import { editorJsonSchema, scenarioSchema } from "./schema.js";
import { describeIssues, tagDefaultMessages, type Finding, type IssueContext } from "./zod-issues.js";

/**
 * A value set from outside the file (a command-line flag such as `--replications 5`), applied to
 * the document before it is checked, so it meets the same schema; its problems name the flag.
 */
export interface Override {
  path: (string | number)[];
  value: unknown;
  /** How the user wrote it, for messages: `--replications`. */
  flag: string;
}

/**
 * Reads and validates a scenario file, or the scenario embedded in lbsim's results.json or
 * sweep.json; every user mistake becomes an InputError naming the file (or the flag of an override).
 */
export function loadScenarioFile(file: string, overrides: readonly Override[] = []): Scenario {
  return parseScenario(readScenarioText(file), file, overrides);
}

/**
 * The scenario document in `file` (a scenario file, or the one a results or sweep file embeds)
 * with the overrides applied, not checked (what the points of a sweep have in common), and what
 * a results or sweep file says of its runs.
 */
export function loadScenarioDocument(file: string, overrides: readonly Override[] = []): { document: Record<string, unknown>; reproduces?: Reproduced } {
  const parsed = JsonDocument.parse(readScenarioText(file));
  if (!parsed.document) throw new InputError(file, parsed.problems);
  const embedded = embeddedScenario(parsed.document.value);
  if (embedded && "problem" in embedded) throw new InputError(file, [{ path: "", message: embedded.problem }]);
  const document = withOverrides(embedded ? embedded.document : parsed.document.value, overrides) as Record<string, unknown>;
  return embedded ? { document, reproduces: embedded.reproduced } : { document };
}

/** The text of a scenario file, refused when unreadable, too large or not UTF-8. */
function readScenarioText(file: string): string {
  let read: ReturnType<typeof readBytes>;
  try {
    read = readBytes(file, MAX_SCENARIO_BYTES);
  } catch (error) {
    throw new InputError(file, [{ path: "", message: `cannot read the scenario file: ${readFailure(error)}` }]);
  }
  if ("tooLarge" in read) {
    const limit = `larger than ${MAX_SCENARIO_BYTES / 2 ** 20} MiB`;
    // results.json and sweep.json begin with the lbsim that wrote them, and end with the scenario.
    const output = /^\{\s*"lbsim"\s*:\s*\{\s*"version"/.test(read.head.toString("utf8"));
    const message = output
      ? `lbsim's results are read for their scenario up to ${MAX_SCENARIO_BYTES / 2 ** 20} MiB, and this file is ${limit}; run its scenarioDocument (jq .scenarioDocument ${file} > scenario.json), with --baseline as its results name it`
      : `the file is ${limit}; a scenario is a few kilobytes`;
    throw new InputError(file, [{ path: "", message }]);
  }
  const decoded = decodeText(read.bytes);
  if ("problem" in decoded) throw new InputError(file, [decoded.problem]);
  return decoded.text;
}

export { MAX_SCENARIO_BYTES };

/**
 * Validates a scenario's JSON text (`file` names it in messages and, without a `name` key,
 * names the scenario), or that of the scenario embedded in lbsim's results.json or sweep.json.
 * Throws an InputError listing every problem found, in file order.
 */
export function parseScenario(text: string, file: string, overrides: readonly Override[] = []): Scenario {
  const parsed = JsonDocument.parse(text);
  const document = parsed.document;
  if (!document) throw new InputError(file, parsed.problems);
  const embedded = embeddedScenario(document.value);
  if (embedded && "problem" in embedded) throw new InputError(file, [{ path: "", message: embedded.problem }]);
  // Where the scenario is in the file: paths below are the scenario's, located in the file under it.
  const prefix: (string | number)[] = embedded?.path ?? [];

  const problems: Problem[] = document.duplicateKeys().map((d) => ({
    path: shortPath(d.path),
    ...document.position(d.offset),
    message: `duplicate key ${quote(d.key)} (first written on line ${d.firstLine}); JSON keeps only one of them`,
  }));
  for (const h of document.hazards) problems.push({ path: shortPath(h.path), ...document.position(h.offset), message: h.message });
  // A number too large for a double reached the schema as Infinity; what it says about that
  // value ("got number Infinity") only repeats the problem above in words the user never wrote.
  const tooLarge = document.hazards.filter((h) => h.kind === "number").map((h) => h.path);
  const value = withOverrides(embedded ? embedded.document : document.value, overrides);
  const context: IssueContext = { data: value, schema: editorSchema };
  const checked = scenarioSchema.safeParse(value, tagDefaultMessages);
  let scenario: Scenario | undefined;
  let findings: Finding[];
  if (checked.success) {
    const compiled = compileScenario(checked.data, basename(file).replace(/\.json$/i, ""), value as Record<string, unknown>);
    findings = compiled.issues;
    scenario = compiled.scenario;
  } else {
    findings = describeIssues(checked.error.issues, context);
  }
  const flagged: string[] = [];
  for (const f of findings) {
    if (f.key === undefined && tooLarge.some((p) => startsWith([...prefix, ...f.path], p))) continue;
    const at = f.key === undefined ? f.path : [...f.path, f.key];
    const override = overrides.find((o) => startsWith(at, o.path));
    if (override) {
      flagged.push(`${override.flag}: ${f.message}`);
      continue;
    }
    problems.push({ path: shortPath([...prefix, ...f.path]), ...document.locate([...prefix, ...at], f.key !== undefined), message: f.message });
  }
  if (flagged.length > 0) throw new InputError(flagged.join("\n"));
  if (problems.length > 0 || !scenario) throw new InputError(file, problems.sort(byPosition));
  if (embedded) scenario.reproduces = embedded.reproduced;
  return scenario;
}

/**
 * The document with each override set at its path; the parsed document itself is left alone.
 * Objects missing on the way are created (`clients.nat.fraction` in a file without NAT: the schema
 * then says whether the keys are allowed, and suggests the key meant). An array index must name an
 * entry that exists, and a strategy written as its id alone (`"ring-hash"`) is opened up into
 * `{ "id": "ring-hash" }` so an option can be set on it.
 */
function withOverrides(document: unknown, overrides: readonly Override[]): unknown {
  if (overrides.length === 0) return document;
  const root = structuredClone(document) as Record<string | number, unknown>;
  for (const { path, value, flag } of overrides) {
    let node = root;
    path.slice(0, -1).forEach((segment, depth) => {
      const next = path[depth + 1];
      if (typeof segment === "number") checkIndex(node, segment, path.slice(0, depth), flag);
      if (depth === 1 && path[0] === "strategies" && typeof node[segment] === "string") node[segment] = { id: node[segment] };
      if (typeof node[segment] !== "object" || node[segment] === null) node[segment] = typeof next === "number" ? [] : {};
      node = node[segment] as Record<string | number, unknown>;
    });
    const last = path[path.length - 1];
    if (typeof last === "number") checkIndex(node, last, path.slice(0, -1), flag);
    node[last] = value;
  }
  return root;
}

/** An override may only replace an entry a list has: an index past its end would leave holes. */
function checkIndex(node: unknown, index: number, at: readonly (string | number)[], flag: string): void {
  const where = formatPath(at);
  if (!Array.isArray(node)) throw new InputError(`${flag}: ${where} is not a list, so it has no entry [${index}]`);
  if (index >= node.length) throw new InputError(`${flag}: ${where} has ${node.length} ${node.length === 1 ? "entry" : "entries"}${node.length > 0 ? ` ([0] to [${node.length - 1}])` : ""}; there is no [${index}]`);
}

/** A path as problems write it, with each key cut short so a very long key cannot stretch the line. */
function shortPath(path: readonly (string | number)[]): string {
  return formatPath(path.map((segment) => (typeof segment === "string" ? clip(segment) : segment)));
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

function byPosition(a: Problem, b: Problem): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

let cachedSchema: Record<string, unknown> | undefined;
function editorSchema(): Record<string, unknown> {
  cachedSchema ??= editorJsonSchema();
  return cachedSchema;
}

/** The operating system's reason a file could not be read, in plain words. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return "the file does not exist";
    case "EISDIR":
      return "it is a directory, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "part of the path is a file, not a directory";
    case "ELOOP":
      return "too many symbolic links";
    default:
      return error instanceof Error ? error.message.replace(/^[A-Z]+: /, "") : String(error);
  }
}
