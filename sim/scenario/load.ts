import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { formatPath, InputError, type Problem } from "./errors.js";
import { JsonDocument } from "./json-text.js";
import { compileScenario, type Scenario } from "./scenario.js";
import { editorJsonSchema, scenarioSchema } from "./schema.js";
import { describeIssues, tagDefaultMessages, type Finding, type IssueContext } from "./zod-issues.js";

/** Reads and validates a scenario file; every user mistake becomes an InputError naming the file. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(file, [{ path: "", message: `cannot read the scenario file: ${readFailure(error)}` }]);
  }
  return parseScenario(text, file);
}

/**
 * Validates a scenario's JSON text (`file` names it in messages and, without a `name` key,
 * names the scenario). Throws an InputError listing every problem found, in file order.
 */
export function parseScenario(text: string, file: string): Scenario {
  const parsed = JsonDocument.parse(text);
  const document = parsed.document;
  if (!document) throw new InputError(file, parsed.problems);

  const problems: Problem[] = document.duplicateKeys().map((d) => ({
    path: formatPath(d.path),
    ...document.position(d.offset),
    message: `duplicate key ${JSON.stringify(d.key)} (first written on line ${d.firstLine}); JSON keeps only one of them`,
  }));
  const context: IssueContext = { data: document.value, schema: editorSchema };
  const checked = scenarioSchema.safeParse(document.value, tagDefaultMessages);
  let scenario: Scenario | undefined;
  let findings: Finding[];
  if (checked.success) {
    const compiled = compileScenario(checked.data, basename(file).replace(/\.json$/i, ""));
    findings = compiled.issues;
    scenario = compiled.scenario;
  } else {
    findings = describeIssues(checked.error.issues, context);
  }
  for (const f of findings) {
    const at = f.key === undefined ? f.path : [...f.path, f.key];
    problems.push({ path: formatPath(f.path), ...document.locate(at, f.key !== undefined), message: f.message });
  }
  if (problems.length > 0 || !scenario) throw new InputError(file, problems.sort(byPosition));
  return scenario;
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
