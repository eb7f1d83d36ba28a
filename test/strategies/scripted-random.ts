/** A random stream that replays `values` in a loop and counts how many draws were taken. */
export function scripted(values: readonly number[]): (() => number) & { calls(): number } {
  let n = 0;
  const next = () => values[n++ % values.length];
  return Object.assign(next, { calls: () => n });
}
