/**
 * JSON that gives back exactly what was written: plain objects, arrays, strings, booleans, null and
 * every number, including NaN, ±Infinity and -0 (which JSON.stringify turns into null and 0), and
 * undefined properties (which it drops). A run's output and a resolved scenario hold such values
 * (`queueLimit: Infinity`), and a result read back from a file must render to the same bytes as
 * the one computed.
 *
 * Those values are written as strings starting with NUL ("\u0000NaN"); a string that itself starts
 * with NUL is written with a second one in front, so every string survives too.
 */
const MARK = "\u0000";
const SPECIAL: Record<string, unknown> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0, undefined: undefined };

function encode(_key: string, value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? (Object.is(value, -0) ? `${MARK}-0` : value) : `${MARK}${value}`;
  if (value === undefined) return `${MARK}undefined`;
  if (typeof value === "string" && value.startsWith(MARK)) return MARK + value;
  return value;
}

/** The value as JSON text, without indentation. */
export function toLosslessJson(value: unknown): string {
  return JSON.stringify(value, encode);
}

/** What `toLosslessJson` wrote. Throws SyntaxError on text that is not JSON. */
export function fromLosslessJson(text: string): unknown {
  return restore(JSON.parse(text));
}

// Not a JSON.parse reviver: a reviver returning undefined deletes the property. Objects are changed
// in place and assigned only when a value changes, so a "__proto__" key stays an own property.
function restore(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(MARK)) {
    const rest = value.slice(1);
    if (rest.startsWith(MARK)) return rest;
    if (!(rest in SPECIAL)) throw new SyntaxError(`unknown lossless JSON value ${JSON.stringify(value)}`);
    return SPECIAL[rest];
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restore(value[i]);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const restored = restore(record[key]);
      if (restored !== record[key]) record[key] = restored;
    }
  }
  return value;
}
