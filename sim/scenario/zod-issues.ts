import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";
import { allowedKeys, type JsonPath } from "./schema-keys.js";
import { unknownKeyMessage } from "./suggest.js";

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

/**
 * A problem found in a parsed document, located by path: at the value, or at the written key
 * `key` of the object at `path` (an unknown key). A missing key is reported at its object.
 */
export interface Finding {
  path: Path;
  key?: string;
  message: string;
}

/** What the findings are about: the parsed document, and the JSON Schema that lists its allowed keys (built only when needed). */
export interface IssueContext {
  data: unknown;
  schema: () => Record<string, unknown>;
}

/** Strings zod's regex checks report, and what a user should read instead. */
const PATTERNS = new Map([[String(DURATION_PATTERN), 'a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"']]);

// zod's own English wording is replaced by ours; a schema author's message is kept. To tell
// them apart, zod's default messages are tagged at parse time.
const DEFAULT = "\u0000";
const english = z.locales.en().localeError;

/** Options for `safeParse` that let `describeIssues` recognise zod's default messages. */
export const tagDefaultMessages: z.core.ParseContext<Issue> = {
  error: (issue) => {
    const text = english(issue);
    return DEFAULT + (typeof text === "string" ? text : (text?.message ?? "invalid value"));
  },
};

/** One readable finding per problem: the bad value, what was expected, allowed values and keys. */
export function describeIssues(issues: readonly Issue[], context: IssueContext, base: JsonPath = []): Finding[] {
  return issues.flatMap((issue) => describe(issue, context, [...base, ...issue.path.map(segment)]));
}

function describe(issue: Issue, context: IssueContext, path: Path): Finding[] {
  const value = valueAt(context.data, path);
  const parentPath = path.slice(0, -1);
  const parent = valueAt(context.data, parentPath);
  const key = path[path.length - 1];
  // A check on a key the user left out (a refine over a defaulted option, e.g. ring-hash's
  // minimumRingSize against a small maximumRingSize) is not a missing key: its message says what is wrong.
  if (issue.code !== "custom" && value === undefined && typeof key === "string" && isRecord(parent) && !Object.hasOwn(parent, key)) {
    const options = issue.code === "invalid_union" && "options" in issue && issue.options ? `; expected one of: ${list(issue.options)}` : "";
    return [{ path: parentPath, message: `missing required key ${JSON.stringify(key)}${options}` }];
  }
  if (issue.code === "unrecognized_keys") {
    const valid = allowedKeys(context.schema(), context.data, path);
    return issue.keys.map((k) => ({ path, key: k, message: unknownKeyMessage(k, valid) }));
  }
  if (!issue.message.startsWith(DEFAULT)) return [{ path, message: authored(issue.message, value) }];
  switch (issue.code) {
    case "invalid_union":
      if ("options" in issue && issue.options) return [{ path, message: got(`expected one of: ${list(issue.options)}`, show(value)) }];
      return describeUnion(issue.errors, context, path, value);
    case "invalid_type":
      return [{ path, message: got(`expected ${typeName(issue.expected)}`, showTyped(value)) }];
    case "too_small":
    case "too_big":
      return [{ path, message: got(`expected ${bound(issue)}`, issue.origin === "array" || issue.origin === "string" ? sizeOf(value) : show(value)) }];
    case "invalid_format": {
      const expected = issue.pattern ? (PATTERNS.get(issue.pattern) ?? `a string matching ${issue.pattern}`) : `a valid ${issue.format}`;
      return [{ path, message: got(`expected ${expected}`, show(value)) }];
    }
    case "invalid_value":
      if (issue.values.length === 1) return [{ path, message: got(`expected ${JSON.stringify(issue.values[0])}`, show(value)) }];
      return [{ path, message: got(`expected one of: ${list(issue.values)}`, show(value)) }];
    case "not_multiple_of":
      return [{ path, message: got(`expected a multiple of ${issue.divisor}`, show(value)) }];
    default:
      return [{ path, message: issue.message.slice(DEFAULT.length) }];
  }
}

/**
 * A value no branch of a union accepted. Branches that rejected its type outright say nothing
 * useful; when exactly those remain, the message lists the types that were possible. Otherwise
 * the branch that got furthest into the value explains the problem.
 */
function describeUnion(branches: readonly Issue[][], context: IssueContext, path: Path, value: unknown): Finding[] {
  const relevant = branches.filter((issues) => issues.length > 0 && !rejectsType(issues));
  if (relevant.length === 0) {
    const types = [...new Set(branches.flatMap(expectedTypes))];
    return [{ path, message: got(`expected ${types.join(" or ") || "a different value"}`, showTyped(value)) }];
  }
  const depth = (issues: Issue[]) => Math.min(...issues.map((i) => i.path.length));
  const best = relevant.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
  return describeIssues(best, context, path);
}

function rejectsType(issues: readonly Issue[]): boolean {
  return issues.every(
    (i) =>
      i.path.length === 0 &&
      (i.code === "invalid_type" || (i.code === "invalid_union" && i.errors.length > 0 && i.errors.every(rejectsType))),
  );
}

function expectedTypes(issues: readonly Issue[]): string[] {
  return issues.flatMap((i) => {
    if (i.code === "invalid_type") return [typeName(i.expected)];
    if (i.code === "invalid_union") return i.errors.flatMap(expectedTypes);
    return [];
  });
}

/** A schema author's message; one that states an expectation about a plain value gets the value. */
function authored(message: string, value: unknown): string {
  const plain = value === null || (typeof value !== "object" && value !== undefined);
  return plain && message.startsWith("expected") && !message.includes("got ") ? got(message, show(value)) : message;
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === "array") return `${small ? "at least" : "at most"} ${limit} ${limit === 1 ? "item" : "items"}`;
  if (issue.origin === "string") {
    if (small && limit === 1) return "a non-empty string";
    return `a string of ${small ? "at least" : "at most"} ${limit} characters`;
  }
  const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  return `a number ${op} ${limit}`;
}

/** "expected X, got Y"; after a list (which has commas of its own) a semicolon keeps it readable. */
function got(expected: string, actual: string): string {
  return `${expected}${expected.includes(",") ? ";" : ","} got ${actual}`;
}

function typeName(expected: string): string {
  return expected === "int" ? "integer" : expected === "record" ? "object" : expected;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

/** A value as a message shows it: strings quoted and cut short, containers by kind. */
function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** A value with its JSON type, for messages about the wrong type: `string "abc"`, `number 5`. */
function showTyped(value: unknown): string {
  if (value === null || value === undefined) return show(value);
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return `${typeof value} ${show(value)}`;
}

function sizeOf(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} ${value.length === 1 ? "item" : "items"}`;
  return show(value);
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let value = data;
  for (const s of path) value = (isRecord(value) || Array.isArray(value)) && Object.hasOwn(value, s) ? (value as any)[s] : undefined;
  return value;
}

function segment(key: PropertyKey): string | number {
  return typeof key === "number" ? key : String(key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
