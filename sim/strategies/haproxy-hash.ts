/**
 * HAProxy's hash of a client's source address for `balance source` (`get_server_sh` in
 * src/backend.c and `__full_hash` in include/haproxy/intops.h, identical in 2.6 and 3.5-dev).
 */

/**
 * Bob Jenkins' 32-bit integer mix followed by a multiply: HAProxy's `full_hash`, used as the
 * `avalanche` hash modifier and to place consistent-hash ring nodes. Unsigned 32-bit in and out.
 */
export function fullHash(value: number): number {
  let a = value >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473) >>> 0;
}

/**
 * The source-hash value of an IPv4 address (an unsigned 32-bit integer, the big-endian reading of
 * its four bytes): the address itself, or `full_hash` of it with the avalanche modifier. The
 * configured hash function (sdbm, djb2, ...) is not applied to source addresses (a FIXME in
 * `get_server_sh`). With one usable server HAProxy does not hash at all (h = 0); callers handle that.
 */
export function sourceHash(address: number, avalanche: boolean): number {
  return avalanche ? fullHash(address) : address >>> 0;
}
