import { InputError } from "./errors.js";

/** A path segment: an object key, or an array index written `[n]`. */
type Segment = string | number;

/**
 * `clients.nat.fraction` or `strategies[2].virtualNodes` as segments. Keys are what the scenario
 * file calls them; an index counts from 0.
 */
export function parsePath(text: string, flag: string): Segment[] {
  const segments: Segment[] = [];
  const pattern = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|(\.)/gy;
  let expectKey = true, match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text))) {
    if (match[1] !== undefined && expectKey) {
      segments.push(match[1]);
      expectKey = false;
    } else if (match[2] !== undefined && !expectKey) segments.push(Number(match[2]));
    else if (match[3] !== undefined && !expectKey) expectKey = true;
    else break;
  }
  if (segments.length === 0 || expectKey || pattern.lastIndex !== text.length)
    throw new InputError(`${flag}: ${JSON.stringify(text)} is not a scenario path; write it as the file nests it, e.g. clients.nat.fraction or strategies[2].virtualNodes`);
  return segments;
}

/** A value as written on the command line: JSON where it parses as JSON (numbers, true, false, null, quoted text, arrays, objects), plain text otherwise ("30m", "nginx-ip-hash"). */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `PATH=VALUE` (the first `=` splits them) as its path text and value text. */
export function splitAssignment(text: string, flag: string): { path: string; value: string } {
  const at = text.indexOf("=");
  if (at <= 0) throw new InputError(`${flag}: expected PATH=VALUE, e.g. ${flag} servers.count=8, got ${JSON.stringify(text)}`);
  return { path: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
}
