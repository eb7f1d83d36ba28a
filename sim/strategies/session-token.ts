import type { RoutingView } from "./define.js";

const HEX = Uint8Array.from("0123456789ABCDEF", (c) => c.charCodeAt(0));

/** MurmurHash3's 32-bit finalizer: a bijection on unsigned 32-bit integers. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Writes the request's session id as an application would put it in a URL or cookie, without
 * allocating, and returns its length (0 when the request has no session). With `keyText` (`lbsim
 * route`) that text as is; in simulations, where sessions are numbered 0, 1, 2, ... in the order
 * they start, 32 upper-case hex digits derived from the number (the shape of a Tomcat JSESSIONID),
 * distinct for distinct numbers. Real ids are random: hashing the model's sequential numbers as
 * decimal text would tie a session's hash to its start order, which round robin also follows
 * (sdbm of "1230".."1233" is four consecutive integers), and let the hash agree with the server
 * that created the session far more often than 1 in N. `out` must hold 64 bytes, or the key text.
 */
export function writeSessionToken(request: RoutingView, out: Uint8Array): number {
  const text = request.keyText;
  if (text !== null) {
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return text.length;
  }
  if (request.sessionKey < 0) return 0;
  let word = fmix32(request.sessionKey >>> 0);
  for (let w = 0; w < 4; w++) {
    for (let d = 0; d < 8; d++) out[w * 8 + d] = HEX[(word >>> (28 - 4 * d)) & 0xf];
    word = fmix32((word ^ 0x9e3779b9) >>> 0);
  }
  return 32;
}
