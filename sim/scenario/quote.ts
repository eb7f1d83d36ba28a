/** Longest value, in printed characters, a message quotes before cutting it short. */
export const QUOTE_LENGTH = 60;

/**
 * `value` cut to its first `max` characters plus "…" when longer, so a message that shows a
 * user's text (a 10,000-character key, a whole line of garbage) stays one readable line.
 * Whole code points are kept, so an emoji is never cut in half.
 */
export function clip(value: string, max = QUOTE_LENGTH): string {
  if (value.length <= max) return value;
  let out = "";
  for (const char of value) {
    if (out.length + char.length > max) return `${out}…`;
    out += char;
  }
  return out;
}

/**
 * `value` as a JSON string literal for a message, cut like `clip`. Escapes count towards the
 * length, so a run of control characters cannot stretch the line either.
 */
export function quote(value: string, max = QUOTE_LENGTH): string {
  let out = "";
  for (const char of value) {
    const printed = JSON.stringify(char).slice(1, -1);
    if (out.length + printed.length > max) return `"${out}…"`;
    out += printed;
  }
  return `"${out}"`;
}
