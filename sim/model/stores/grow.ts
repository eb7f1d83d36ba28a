/** A typed array, or one of per-client or per-record state a store keeps. */
type Typed = Int32Array | Float64Array | Uint8Array;

/** The length, doubling from `length`, that makes index `index` fit. */
export function grownLength(length: number, index: number): number {
  let n = Math.max(1, length);
  while (n <= index) n *= 2;
  return n;
}

/** A copy of `old` with room for `length` entries (the new ones zero). */
export function grown<T extends Typed>(old: T, length: number): T {
  const next = new (old.constructor as new (n: number) => T)(length);
  next.set(old);
  return next;
}
