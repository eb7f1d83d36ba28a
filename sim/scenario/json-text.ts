import { findNodeAtLocation, getLocation, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { Problem } from "./errors.js";
import { findHazards, withoutForbiddenKeys, type Hazard } from "./json-hazards.js";
import { eachValue } from "./json-walk.js";
import { findDeepNesting, MAX_NESTING } from "./nesting.js";
import { quote } from "./quote.js";
import type { JsonPath } from "./schema-keys.js";

/** Syntax errors reported at most; after the first few a parser's recovery mostly reports echoes. */
const MAX_SYNTAX_ERRORS = 3;
/** After these the parser is out of step with the text, so whatever it reports next is noise. */
const UNRECOVERABLE = new Set(["UnexpectedEndOfString", "UnexpectedEndOfComment", "InvalidCommentToken"]);

/** Turns character offsets into 1-based line and column numbers. */
class LineIndex {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.#starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.#starts[low] + 1 };
  }
}

/** A strictly parsed JSON text that can say where any of its values is written. */
export class JsonDocument {
  readonly #lines: LineIndex;

  private constructor(
    readonly text: string,
    readonly tree: Node,
    readonly value: unknown,
    /** Forbidden keys and numbers too large for a double, in file order; see json-hazards.ts. */
    readonly hazards: readonly Hazard[],
  ) {
    this.#lines = new LineIndex(text);
  }

  /**
   * Parses strict JSON (no comments, no trailing commas); a text with syntax errors, or nested
   * too deep to parse safely, gives problems instead. The value leaves out forbidden keys.
   */
  static parse(text: string): { document?: JsonDocument; problems: Problem[] } {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (body.trim() === "") return { problems: [{ path: "", message: "the file is empty; expected a JSON object describing a scenario" }] };
    const lines = new LineIndex(body);
    // Checked first: jsonc-parser and JSON.parse recurse once per level and overflow the stack.
    const tooDeep = findDeepNesting(body, MAX_NESTING);
    if (tooDeep !== undefined) {
      const message = `objects and arrays nested deeper than ${MAX_NESTING} levels; a scenario needs only a few`;
      return { problems: [{ path: "", ...lines.position(tooDeep), message }] };
    }
    const errors: ParseError[] = [];
    const tree = parseTree(body, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    if (errors.length === 0 && tree) {
      const hazards = findHazards(tree, body);
      const value = JSON.parse(body, hazards.some((h) => h.kind === "key") ? withoutForbiddenKeys : undefined);
      return { document: new JsonDocument(body, tree, value, hazards), problems: [] };
    }
    const problems: Problem[] = [];
    for (const error of errors) {
      const at = lines.position(syntaxOffset(body, error));
      // Skipped before the message is worded: wording can rescan the text from its start
      // (insideArray), and one long line of garbage has an error every few characters.
      if (problems.some((p) => p.line === at.line)) continue;
      const problem = { path: "", ...at, message: syntaxMessage(body, error) };
      problems.push(problem);
      if (problems.length === MAX_SYNTAX_ERRORS || UNRECOVERABLE.has(printParseErrorCode(error.error))) break;
    }
    return { problems };
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number } {
    return this.#lines.position(offset);
  }

  /**
   * Where the value at `path` is written. With `atKey`, where the last segment's property name
   * is written instead. A path that does not exist in the text (a missing key) falls back to
   * its nearest written ancestor.
   */
  locate(path: JsonPath, atKey = false): { line: number; column: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(this.tree, path.slice(0, n) as (string | number)[]);
      if (!node) continue;
      const key = atKey && n === path.length && node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
      return this.position((key ?? node).offset);
    }
    return this.position(this.tree.offset);
  }

  /** Keys written twice in one object: JSON allows it, but only one of the values would count. */
  duplicateKeys(): { path: (string | number)[]; key: string; offset: number; firstLine: number }[] {
    const found: { path: (string | number)[]; key: string; offset: number; firstLine: number }[] = [];
    eachValue(this.tree, (node, path) => {
      if (node.type !== "object") return;
      const seen = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const keyNode = property.children?.[0];
        if (!keyNode) continue;
        const key = String(keyNode.value);
        const first = seen.get(key);
        if (first) found.push({ path, key, offset: keyNode.offset, firstLine: this.position(first.offset).line });
        else seen.set(key, keyNode);
      }
    });
    return found;
  }
}

function syntaxOffset(text: string, error: ParseError): number {
  const comma = trailingComma(text, error);
  return comma ?? error.offset;
}

/** The offset of a comma directly before a closing brace or bracket at the error, if that is the mistake. */
function trailingComma(text: string, error: ParseError): number | undefined {
  const code = printParseErrorCode(error.error);
  if (code !== "PropertyNameExpected" && code !== "ValueExpected") return undefined;
  if (text[error.offset] !== "}" && text[error.offset] !== "]") return undefined;
  let i = error.offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === "," ? i : undefined;
}

function syntaxMessage(text: string, error: ParseError): string {
  const token = text.slice(error.offset, error.offset + error.length);
  const closing = text[error.offset] === "]" ? "bracket" : "brace";
  if (trailingComma(text, error) !== undefined) return `trailing comma before the closing ${closing}; JSON does not allow one`;
  switch (printParseErrorCode(error.error)) {
    case "InvalidSymbol":
      if (token.startsWith("'")) return `unexpected ${quote(token)}; JSON strings and keys use double quotes`;
      return `unexpected ${quote(token)}`;
    case "InvalidNumberFormat":
      return "invalid number";
    case "PropertyNameExpected":
      return "expected a property name in double quotes";
    case "ValueExpected":
      return error.offset >= text.length ? "unexpected end of file; expected a value" : "expected a value";
    case "ColonExpected":
      return "expected a colon after the property name";
    case "CommaExpected":
      return insideArray(text, error.offset) ? "expected a comma or closing bracket" : "expected a comma or closing brace";
    case "CloseBraceExpected":
      return "expected a closing brace";
    case "CloseBracketExpected":
      return "expected a closing bracket";
    case "EndOfFileExpected":
      return "unexpected text after the end of the JSON value";
    case "InvalidCommentToken":
      return "comments are not allowed in JSON";
    case "UnexpectedEndOfComment":
      return "unterminated comment";
    case "UnexpectedEndOfString":
      return "unterminated string (a string must end with a double quote on the same line)";
    case "UnexpectedEndOfNumber":
      return "incomplete number";
    case "InvalidUnicode":
      return "invalid \\u escape in a string";
    case "InvalidEscapeCharacter":
      return "invalid escape sequence in a string";
    case "InvalidCharacter":
      return "invalid character in a string (control characters must be escaped)";
    default:
      return "invalid JSON";
  }
}

function insideArray(text: string, offset: number): boolean {
  const path = getLocation(text, offset).path;
  return typeof path[path.length - 1] === "number";
}
