import { z } from "zod";
import { CRC32_INIT, crc32, crc32Final, crc32Update } from "./crc32.js";
import { defineStrategy } from "./define.js";
import { hashKeyOption, writeKey } from "./hash-key.js";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.js";

/** Ring points per unit of weight (ketama_points = 160; ngx_http_upstream_update_chash). */
export const POINTS_PER_WEIGHT = 160;

/** Points tried before falling back to round robin: 0..20 (ngx_http_upstream_get_chash_peer). */
const MAX_TRIES = 20;

/** A ketama ring: point hashes ascending, and the server index owning each point. */
export interface KetamaRing {
  readonly points: Uint32Array;
  readonly owners: Int32Array;
}

/**
 * Builds nginx's ring (ngx_http_upstream_update_chash): for each server in
 * order, `160 × weight` points chained as CRC32(host ‖ 0x00 ‖ port ‖ LE32(previous point)),
 * where host and port come from splitting the address text as nginx does. Sorted ascending;
 * of equal hashes the first in sorted order is kept. nginx's qsort leaves the order of equals
 * unspecified; lbsim keeps the earlier server's point. Servers with the same address text make
 * the same points, which collapse onto the first of them (nginx would choose among the eligible
 * peers sharing that text; lbsim servers have distinct addresses).
 */
export function buildKetamaRing(addresses: readonly string[], weights: Int32Array): KetamaRing {
  let total = 0;
  for (let s = 0; s < addresses.length; s++) total += POINTS_PER_WEIGHT * Math.max(0, weights[s]);
  const hashes = new Uint32Array(total);
  const servers = new Int32Array(total);
  const prev = new Uint8Array(4);
  let n = 0;
  for (let s = 0; s < addresses.length; s++) {
    const text = new TextEncoder().encode(addresses[s]);
    const [hostStart, hostEnd, portStart] = splitHostPort(text);
    let base = crc32Update(CRC32_INIT, text, hostStart, hostEnd);
    base = crc32Update(base, ZERO, 0, 1);
    base = crc32Update(base, text, portStart, text.length);
    prev.fill(0);
    for (let j = POINTS_PER_WEIGHT * Math.max(0, weights[s]); j > 0; j--) {
      const point = crc32Final(crc32Update(base, prev, 0, 4));
      hashes[n] = point;
      servers[n++] = s;
      prev[0] = point & 0xff;
      prev[1] = (point >>> 8) & 0xff;
      prev[2] = (point >>> 16) & 0xff;
      prev[3] = point >>> 24;
    }
  }
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => hashes[a] - hashes[b] || a - b);
  const points = new Uint32Array(total);
  const owners = new Int32Array(total);
  let kept = 0;
  for (const i of order) {
    if (kept > 0 && points[kept - 1] === hashes[i]) continue;
    points[kept] = hashes[i];
    owners[kept++] = servers[i];
  }
  return { points: points.slice(0, kept), owners: owners.slice(0, kept) };
}

const ZERO = new Uint8Array(1);

/**
 * nginx's host/port split of a server address (ngx_http_upstream_update_chash), as byte offsets
 * [hostStart, hostEnd, portStart]; the port runs to the end. `unix:` paths and text not ending
 * in `:digits` have an empty port.
 */
function splitHostPort(text: Uint8Array): [number, number, number] {
  const n = text.length;
  if (n >= 5 && String.fromCharCode(...text.subarray(0, 5)).toLowerCase() === "unix:") return [5, n, n];
  for (let j = 0; j < n; j++) {
    const c = text[n - j - 1];
    if (c === 0x3a) return [0, n - j - 1, n - j];
    if (c < 0x30 || c > 0x39) break;
  }
  return [0, n, n];
}

/** Index of the first point ≥ k, points.length when there is none (successor rule). */
export function firstAtOrAfter(points: Uint32Array, k: number): number {
  let lo = 0, hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * nginx `hash KEY consistent` (ketama, Cache::Memcached::Fast compatible;
 * ngx_http_upstream_hash_module.c, ngx_http_upstream_get_chash_peer). The key's full CRC-32 finds
 * the first ring point at or after it; a point of a server not accepting costs a try and the lookup
 * steps to the next point, so a down server's keys spread over its ring neighbours and adding a
 * server moves only the keys on its new arcs (about 1/(N+1)). After 21 such points, or for an
 * empty key, smooth weighted round robin decides. The ring depends on the servers' addresses and
 * weights only: it is rebuilt when weights or size change, never for health.
 */
export const nginxHashConsistent = defineStrategy({
  id: "nginx-hash-consistent",
  summary: "nginx hash $key consistent: ketama ring of 160 CRC-32 points per weight; adding a server moves about 1/(N+1) of keys.",
  models: "nginx hash KEY consistent (ketama, 160 points per weight; ngx_http_upstream_hash_module.c)",
  options: z.strictObject({ key: hashKeyOption }),
  tableEntries: (weights) => POINTS_PER_WEIGHT * weights.reduce((a, b) => a + b, 0),
  create(pool, _random, options) {
    const fallback = new SmoothWeightedRoundRobin(pool);
    let key = new Uint8Array(256);
    // Only the first `size` addresses are servers.
    const build = () => buildKetamaRing(pool.addresses.slice(0, pool.size), pool.weights);
    let ring = build();
    return {
      poolChanged(what) {
        if (what !== "health") ring = build();
      },
      pick(request) {
        const { points, owners } = ring;
        const n = points.length;
        if (pool.size < 2 || n === 0) return fallback.pick();
        let length = writeKey(request, options.key, key);
        if (length > key.length) {
          key = new Uint8Array(length * 2); // a rare long keyText from `lbsim route`
          length = writeKey(request, options.key, key);
        }
        if (length === 0) return fallback.pick();
        const accepting = pool.accepting;
        let i = firstAtOrAfter(points, crc32(key, 0, length));
        for (let tries = 0; tries <= MAX_TRIES; tries++, i++) {
          const s = owners[i % n];
          if (accepting[s]) return s;
        }
        return fallback.pick();
      },
    };
  },
});
