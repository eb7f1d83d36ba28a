/**
 * Standard reflected IEEE CRC-32 (polynomial 0xEDB88320, initial value 0xFFFFFFFF, final XOR
 * 0xFFFFFFFF): the same function as zlib's `crc32` and nginx's `ngx_crc32_*` (nginx
 * src/core/ngx_crc32.h). Table-driven, over a byte range of a Uint8Array, allocating nothing.
 *
 * One call: `crc32(bytes, start, end)`. Incrementally, as nginx builds its hashes from pieces:
 * `let s = CRC32_INIT; s = crc32Update(s, a, 0, n); s = crc32Update(s, b, 0, m); crc32Final(s)`.
 */

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** The running state before any byte (nginx `ngx_crc32_init`). */
export const CRC32_INIT = 0xffffffff;

/** Feeds `bytes[start, end)` into a running state and returns the new state (nginx `ngx_crc32_update`). */
export function crc32Update(state: number, bytes: Uint8Array, start: number, end: number): number {
  let c = state | 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** The CRC-32 of everything fed so far, an unsigned 32-bit integer (nginx `ngx_crc32_final`). */
export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of `bytes[start, end)` as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Final(crc32Update(CRC32_INIT, bytes, start, end));
}
