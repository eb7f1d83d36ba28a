import { z } from "zod";
import { CRC32_INIT, crc32Final, crc32Update } from "./crc32.js";
import { defineStrategy } from "./define.js";
import { hashKeyOption, writeKey } from "./hash-key.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";
import { WeightRanges } from "./weights.js";

/** Candidates tried before falling back to round robin: 0..20 (ngx_http_upstream_get_hash_peer). */
const MAX_TRIES = 20;

/**
 * The CRC-32 state after the rehash prefix of each try: nothing on the first, then the decimal
 * text of 1, 2, ..., 20 (ngx_http_upstream_get_hash_peer). The key bytes are fed on top of it.
 */
const PREFIX = new Int32Array(MAX_TRIES + 1);
for (let rehash = 0; rehash <= MAX_TRIES; rehash++) {
  const digits = rehash === 0 ? new Uint8Array(0) : new TextEncoder().encode(String(rehash));
  PREFIX[rehash] = crc32Update(CRC32_INIT, digits, 0, digits.length);
}

/**
 * nginx `hash KEY` without `consistent` (ngx_http_upstream_hash_module.c,
 * ngx_http_upstream_get_hash_peer), Cache::Memcached compatible. Each try adds 15 bits of
 * CRC-32([rehash] key) to an accumulator and walks the weights with acc mod (total weight, down
 * servers included), so a down server keeps its slot and its keys re-hash, while adding or removing
 * a server changes the modulus and moves most keys. After 21 candidates that are not accepting, or
 * for an empty key, smooth weighted round robin decides.
 */
export const nginxHash = defineStrategy({
  id: "nginx-hash",
  summary: "nginx hash $key: 15 bits of CRC-32 mod total weight; a down server's keys re-hash, adding a server moves most keys.",
  models: "nginx hash KEY (generic, Cache::Memcached compatible; ngx_http_upstream_hash_module.c)",
  options: z.strictObject({ key: hashKeyOption }),
  create(pool, _random, options) {
    const fallback = new SmoothWeightedRoundRobin(pool);
    let key = new Uint8Array(256);
    const ranges = new WeightRanges(pool);
    return {
      poolChanged() {
        ranges.rebuild();
      },
      pick(request) {
        const { size, accepting } = pool;
        if (size < 2 || ranges.total <= 0) return fallback.pick();
        let length = writeKey(request, options.key, key);
        if (length > key.length) {
          key = new Uint8Array(length * 2); // a rare long keyText from `lbsim route`
          length = writeKey(request, options.key, key);
        }
        if (length === 0) return fallback.pick();
        let acc = 0;
        for (let tries = 0; tries <= MAX_TRIES; tries++) {
          // The rehash counter equals the try number: both advance once per candidate.
          const v = (crc32Final(crc32Update(PREFIX[tries], key, 0, length)) >>> 16) & 0x7fff;
          acc = (acc + v) >>> 0;
          const p = ranges.serverAt(acc % ranges.total);
          if (accepting[p]) return p;
        }
        return fallback.pick();
      },
    };
  },
});
