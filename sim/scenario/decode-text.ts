import type { Problem } from "./errors.js";

/** Bytes looked at to recognise UTF-16 without a byte order mark. */
const SNIFF_BYTES = 512;

/**
 * The text of a scenario file's bytes, which must be UTF-8 (with or without a byte order
 * mark), or the problem with them. Without this, a UTF-16 file reads as a string of NULs and
 * letters and is reported as `unexpected "\u0000"`, which tells the user nothing.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { problem: Problem } {
  const wide = wideEncoding(bytes);
  if (wide) return { problem: { path: "", message: `the file is ${wide} text; save it as UTF-8` } };
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { problem: { path: "", message: `the file is not a text file (byte ${nul} is a NUL byte); a scenario is JSON text` } };
  try {
    // fatal: a byte sequence that is not UTF-8 is an error, not a silent U+FFFD in the scenario.
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { problem: invalidUtf8(bytes) };
  }
}

/** UTF-16 or UTF-32, from the byte order mark or, without one, from where the NUL bytes fall. */
function wideEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if ((a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff)) return "UTF-32";
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return "UTF-16";
  // JSON is mostly ASCII, which UTF-16 writes as the letter and a NUL, little or big end first.
  // Binary data has NULs on both sides.
  const pairs = Math.floor(Math.min(bytes.length, SNIFF_BYTES) / 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) even++;
    if (bytes[2 * i + 1] === 0) odd++;
  }
  const oneSided = (even === 0) !== (odd === 0);
  return pairs > 0 && oneSided && Math.max(even, odd) * 2 >= pairs ? "UTF-16" : undefined;
}

/**
 * Where the first byte that is not UTF-8 is, as a byte offset counted from 0 (as hexdump and
 * `xxd -s` count) and as the line and column it would have in the text.
 */
function invalidUtf8(bytes: Uint8Array): Problem {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // The lenient decoder puts one U+FFFD for each bad sequence and decodes everything before
  // the first one exactly, so the text before it re-encodes to exactly the bytes before it.
  // A U+FFFD written in the file (EF BF BD) is real text and is stepped over.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(bom));
  let offset = bom;
  let from = 0;
  for (;;) {
    const at = text.indexOf("\uFFFD", from);
    if (at === -1) return located(text, bytes.length);
    offset += Buffer.byteLength(text.slice(from, at));
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return located(text.slice(0, at), offset);
    offset += 3;
    from = at + 1;
  }
}

/** The problem at byte `offset`, after the text `before`. */
function located(before: string, offset: number): Problem {
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.length - before.replaceAll("\n", "").length + 1;
  return { path: "", line, column: before.length - lineStart + 1, message: `the file is not valid UTF-8 text (at byte ${offset}); save it as UTF-8` };
}
