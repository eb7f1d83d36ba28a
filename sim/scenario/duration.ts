const UNIT_SECONDS: Record<string, number> = { us: 0.000001, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** A number and a unit; blanks are allowed around and between them ("5m", "5 m", " 5m "). */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h|d)\s*$/;

/** Seconds from a number of seconds or a string with a unit: "50us" "250ms" "30s" "5m" "2h" "1d". */
export function parseDuration(value: number | string): number {
  if (typeof value === "number") return value;
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) throw new RangeError(`not a duration: ${JSON.stringify(value)}`);
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** A short human form of a number of seconds, for messages and reports. */
export function formatDuration(seconds: number): string {
  if (seconds !== 0 && seconds < 1) return `${+(seconds * 1000).toPrecision(4)}ms`;
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${+seconds.toPrecision(6)}s`;
}
