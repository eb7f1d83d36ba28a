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
    super(list.map((p) => formatProblem(file, p)).join("\n"));
    this.file = file;
    this.problems = list;
  }
}

/** `file:line:column: path: message`, leaving out the parts a problem does not have. */
export function formatProblem(file: string, problem: Problem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
  return [where, problem.path, problem.message].filter(Boolean).join(": ");
}

/** A JSON path as problems write it: `servers.list[2].weight`, `(root)` for the document itself. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`))
    .join("");
}
