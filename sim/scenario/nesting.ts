/**
 * Objects and arrays a scenario may nest. Real scenarios need fewer than 10 levels; the
 * recursive parsers behind the loader (jsonc-parser, the schema) overflow the call stack
 * somewhere past a thousand, so the text is refused long before that.
 */
export const MAX_NESTING = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const LF = 0x0a;
const CR = 0x0d;
const OPENERS: Record<number, number> = { 0x7b: 0x7d, 0x5b: 0x5d }; // { -> }, [ -> ]

/**
 * The offset of the opening bracket or brace that takes `text` deeper than `limit` levels, if
 * any. It reads the text the way jsonc-parser's scanner does (strings end at a double quote or
 * a line break, a backslash escapes the next character, comments are skipped), in one loop
 * without recursion, so that any text can be checked before a recursive parser sees it.
 *
 * A closer pops only an opener of its own kind: jsonc-parser skips a mismatched closer
 * without leaving the object or array it is in, so counting it would let `{"a":{],"a":{],…`
 * nest without limit while the count stayed at one.
 */
export function findDeepNesting(text: string, limit = MAX_NESTING): number | undefined {
  const expected: number[] = []; // the closer each open bracket waits for, innermost last
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i++;
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c === QUOTE) break;
        if (c === LF || c === CR) break;
        i += c === BACKSLASH ? 2 : 1;
      }
      i++;
      continue;
    }
    if (code === SLASH && text.charCodeAt(i + 1) === SLASH) {
      while (i < length && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
      continue;
    }
    if (code === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? length : end + 2;
      continue;
    }
    const closer = OPENERS[code];
    if (closer !== undefined) {
      expected.push(closer);
      if (expected.length > limit) return i;
    } else if (code === expected[expected.length - 1]) {
      expected.pop();
    }
    i++;
  }
  return undefined;
}
