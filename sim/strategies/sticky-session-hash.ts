/** 2^31: the modulus sticky-session applies between its steps. */
const M = 2147483648;

/**
 * The hash of the `sticky-session` npm module 1.1.2 (indutny/sticky-session @ e0de9b7,
 * lib/sticky/master.js, `Master.prototype.hash`), over `bytes[0, length)` with the primary's
 * `seed` (an int32). A Jenkins one-at-a-time variant computed in JavaScript doubles: `%` keeps the
 * sign of the dividend, `<<`, `>>` and `^` first convert to int32. The operations are the module's,
 * in its order; only `>>> 0` at the end makes the result unsigned.
 */
export function stickySessionHash(seed: number, bytes: Uint8Array, length: number): number {
  let hash = seed;
  for (let i = 0; i < length; i++) {
    hash += bytes[i];
    hash %= M;
    hash += hash << 10;
    hash %= M;
    hash ^= hash >> 6;
  }
  hash += hash << 3;
  hash %= M;
  hash ^= hash >> 11;
  hash += hash << 15;
  hash %= M;
  return hash >>> 0;
}

/**
 * Writes the bytes `ip.toBuffer(socket.remoteAddress)` gives for an IPv4 client into `out` and
 * returns their count (indutny/node-ip, `ip.toBuffer`): the 4 address bytes, or with `mapped` the
 * 16 bytes of the IPv4-mapped IPv6 address `::ffff:a.b.c.d` (ten zeros, 0xff, 0xff, a, b, c, d)
 * that a dual-stack listener reports. `out` holds at least 16 bytes.
 */
export function addressBytes(address: number, mapped: boolean, out: Uint8Array): number {
  let at = 0;
  if (mapped) {
    out.fill(0, 0, 10);
    out[10] = out[11] = 0xff;
    at = 12;
  }
  out[at] = address >>> 24;
  out[at + 1] = (address >>> 16) & 0xff;
  out[at + 2] = (address >>> 8) & 0xff;
  out[at + 3] = address & 0xff;
  return at + 4;
}
