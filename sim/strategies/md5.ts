/** Per-round left rotations (RFC 1321, section 3.4). */
const SHIFTS = Uint8Array.of(7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21);

/** T[i] = floor(2^32 · |sin(i + 1)|), written out (RFC 1321, section 3.4) rather than computed, so no libm rounding can differ. */
const T = Int32Array.of(
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
);

/** Scratch space: the padded tail (at most two blocks) and one block's 16 words. */
const tail = new Uint8Array(128);
const words = new Int32Array(16);
const state = new Int32Array(4);

/**
 * The first 32 bits of the MD5 digest (RFC 1321) of `bytes[0, length)`, as an unsigned integer
 * read big-endian: what JavaScript's `parseInt(crypto.createHash('md5').update(key)
 * .digest('hex').substring(0, 8), 16)` gives. Allocates nothing.
 */
export function md5Head(bytes: Uint8Array, length: number): number {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const whole = length - (length % 64);
  for (let at = 0; at < whole; at += 64) block(bytes, at);
  // Padding: 0x80, zeros up to 56 mod 64, then the length in bits as a little-endian 64-bit number.
  const rest = length - whole;
  tail.fill(0);
  for (let i = 0; i < rest; i++) tail[i] = bytes[whole + i];
  tail[rest] = 0x80;
  const end = rest < 56 ? 64 : 128;
  const bits = length * 8;
  for (let i = 0; i < 4; i++) tail[end - 8 + i] = (bits >>> (8 * i)) & 0xff;
  const high = Math.floor(bits / 2 ** 32);
  for (let i = 0; i < 4; i++) tail[end - 4 + i] = (high >>> (8 * i)) & 0xff;
  block(tail, 0);
  if (end === 128) block(tail, 64);
  // The digest starts with state[0] little-endian; the hex text's first 8 digits read it big-endian.
  const a = state[0];
  return (((a & 0xff) << 24) | (((a >>> 8) & 0xff) << 16) | (((a >>> 16) & 0xff) << 8) | (a >>> 24)) >>> 0;
}

function block(bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const o = at + 4 * i;
    words[i] = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  for (let i = 0; i < 64; i++) {
    let f: number, g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    f = (f + a + T[i] + words[g]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((f << SHIFTS[i]) | (f >>> (32 - SHIFTS[i])))) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
}
