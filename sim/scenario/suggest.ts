import { strategies } from "../strategies/index.js";

/** The candidate a mistyped word most likely meant, or undefined when none is reasonably close. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best === undefined) return undefined;
  // One edit per three letters of the longer word, at least one: "sevrers" -> "servers", not "sd" -> "id".
  return bestDistance <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ? best : undefined;
}

/** The message for a key that is not allowed in an object whose allowed keys are `valid`. */
export function unknownKeyMessage(key: string, valid: readonly string[]): string {
  const guess = closest(key, valid);
  const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  if (guess !== undefined) return `unknown key ${shown}; did you mean ${JSON.stringify(guess)}?`;
  if (valid.length === 0) return `unknown key ${shown}; no keys are allowed here`;
  return `unknown key ${shown}; valid keys here: ${valid.join(", ")}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/** What to tell a user who named a strategy lbsim does not know: the closest id, and every id. */
export function unknownStrategy(id: string): string {
  const ids = strategies.map((s) => s.id);
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
  const guess = closest(id, ids);
  const hint = guess === undefined ? "" : `did you mean ${JSON.stringify(guess)}? `;
  return `unknown strategy ${shown}; ${hint}expected one of: ${ids.join(", ")}`;
}
