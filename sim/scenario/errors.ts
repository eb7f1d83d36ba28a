/**
 * One mistake in a user's input. `path` is a JSON path written like `servers.list[2].weight`
 * (`(root)` for the document itself, empty when the problem is with the file as a whole:
 * unreadable, empty, not JSON). `line` and `column` are 1-based.
 */
export interface Problem {
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * A user mistake (bad scenario file, bad option): the CLI prints `message` and exits 2, never
 * a stack. Internal failures are any other error.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  /** The file at fault; empty for a mistake outside any file (a command-line flag). */
  readonly file: string;
  readonly problems: Problem[];

  /** Problems in `file`, one line of `message` each. */
  constructor(file: string, problems: Problem[]);
  /** A mistake outside any file, e.g. `--strategies: unknown strategy "x"`. */
  constructor(message: string);
  constructor(fileOrMessage: string, problems?: Problem[]) {
    const file = problems ? fileOrMessage : "";
    const list = problems ?? [{ path: "", message: fileOrMessage }];
    super(formatProblems(file, list).join("\n"));
    this.file = file;
    this.problems = list;
  }
}

/** Problems of one kind shown before "... and N more"; a file with 100,000 duplicate names says so in a few lines. */
const PER_KIND = 3;
/** Problem lines shown at most, whatever their kinds. */
const MAX_LINES = 20;
/** Longest message line printed; a longer one is cut (a 1 MB strategy id stays a short line). */
const MAX_MESSAGE = 1000;

/**
 * The lines a list of problems prints as: at most a few of each kind (the same message with
 * other values, at a path that differs only in its indices) and a bounded total, each counted
 * in a closing "... and N more" line.
 */
export function formatProblems(file: string, problems: readonly Problem[]): string[] {
  const lines: string[] = [];
  const shown = new Map<string, number>();
  let hidden = 0;
  for (const problem of problems) {
    const kind = `${problem.path.replace(/\[\d+\]/g, "[]")}|${problem.message.replace(/"(?:[^"\\]|\\.)*"|\d+(\.\d+)?/g, "_")}`;
    const n = shown.get(kind) ?? 0;
    if (n >= PER_KIND || lines.length >= MAX_LINES) {
      hidden++;
      continue;
    }
    shown.set(kind, n + 1);
    lines.push(formatProblem(file, problem));
  }
  if (hidden > 0) lines.push(`... and ${hidden} more ${hidden === 1 ? "problem" : "problems"} like those above`);
  return lines;
}

/** `file:line:column: path: message`, leaving out the parts a problem does not have. */
export function formatProblem(file: string, problem: Problem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
  const message = problem.message.length > MAX_MESSAGE ? `${problem.message.slice(0, MAX_MESSAGE)}…` : problem.message;
  return [where, problem.path, message].filter(Boolean).join(": ");
}

/** A JSON path as problems write it: `servers.list[2].weight`, `(root)` for the document itself. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`))
    .join("");
}
