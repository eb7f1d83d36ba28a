type Column = Uint8Array | Int32Array | Uint32Array | Float64Array;

/** A copy of a per-slot column at a new length, the slots past the old ones holding `fill`. */
export function grown<T extends Column>(old: T, length: number, fill = 0): T {
  const column = new (old.constructor as new (n: number) => T)(length);
  if (fill !== 0) column.fill(fill, old.length);
  column.set(old);
  return column;
}
