import type { PoolView } from "./define.js";
import { wide } from "./u64.js";
import { xxh64 } from "./xxhash64.js";

/**
 * A consistent-hash ring over the 64-bit hash space, as Envoy's RING_HASH keeps it
 * (ring_hash_lb.cc): point hashes ascending, split into high and low 32-bit halves, and the server
 * index owning each point.
 */
export interface HashRing {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly owners: Int32Array;
}

/**
 * Builds a ring where server s has `points[s]` points, point j hashing to
 * xxHash64(`${addresses[s]}_${j}`) (Envoy's ring entry key: host key, "_", decimal index;
 * ring_hash_lb.cc). Equal hashes keep insertion order (Envoy's std::sort leaves it unspecified; with
 * 64-bit hashes it never arises in practice).
 */
export function buildRing(addresses: readonly string[], points: ArrayLike<number>): HashRing {
  let total = 0;
  for (let s = 0; s < addresses.length; s++) total += points[s];
  const hi = new Uint32Array(total), lo = new Uint32Array(total), owner = new Int32Array(total);
  const encoder = new TextEncoder();
  const hash = wide();
  let buffer = new Uint8Array(64);
  let n = 0;
  for (let s = 0; s < addresses.length; s++) {
    if (points[s] <= 0) continue;
    const address = encoder.encode(addresses[s]);
    if (buffer.length < address.length + 24) buffer = new Uint8Array(address.length + 24);
    buffer.set(address);
    buffer[address.length] = 0x5f; // "_"
    for (let j = 0; j < points[s]; j++) {
      const end = writeDecimal(j, buffer, address.length + 1);
      xxh64(buffer, 0, end, 0, hash);
      hi[n] = hash.hi;
      lo[n] = hash.lo;
      owner[n++] = s;
    }
  }
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b);
  return {
    hi: Uint32Array.from(order, (i) => hi[i]),
    lo: Uint32Array.from(order, (i) => lo[i]),
    owners: Int32Array.from(order, (i) => owner[i]),
  };
}

/**
 * The number of ring entries Envoy gives each host (ring_hash_lb.cc, `Ring::Ring`): weights
 * normalised over the hosts in the ring (`include[s]` = 1), scale = min(⌈m · minimumRingSize⌉ / m,
 * maximumRingSize) with m the smallest normalised weight, and entries handed out against running
 * sums of scale × weight, in host order. Doubles throughout, in Envoy's order of operations, so
 * the counts match (3 equal hosts: 342 each; weights 1:2: 342 and 684).
 */
export function envoyRingPoints(weights: Int32Array, include: Uint8Array, minimumRingSize: number, maximumRingSize: number): Int32Array {
  const counts = new Int32Array(weights.length);
  let sum = 0;
  const included = (s: number) => include[s] === 1 && weights[s] > 0; // Envoy requires weights ≥ 1
  for (let s = 0; s < weights.length; s++) if (included(s)) sum += weights[s];
  if (sum === 0) return counts;
  let min = 1.0;
  for (let s = 0; s < weights.length; s++) if (included(s)) min = Math.min(min, (weights[s] * 1.0) / sum);
  const scale = Math.min(Math.ceil(min * minimumRingSize) / min, maximumRingSize);
  let current = 0.0, target = 0.0;
  for (let s = 0; s < weights.length; s++) {
    if (!included(s)) continue;
    target += scale * ((weights[s] * 1.0) / sum);
    while (current < target) {
      counts[s]++;
      current++;
    }
  }
  return counts;
}

/**
 * Index of the first ring point whose hash is ≥ (hi, lo), wrapping to 0 past the last point: the
 * ketama successor rule Envoy ports from libketama (ring_hash_lb.cc `Ring::chooseHost`). The ring
 * must not be empty.
 */
export function ringSuccessor(ring: HashRing, hi: number, lo: number): number {
  const his = ring.hi, los = ring.lo;
  let low = 0, high = his.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (his[mid] < hi || (his[mid] === hi && los[mid] < lo)) low = mid + 1;
    else high = mid;
  }
  return low === his.length ? 0 : low;
}

function writeDecimal(value: number, out: Uint8Array, at: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  for (let i = at + digits - 1, v = value; i >= at; i--, v = Math.floor(v / 10)) out[i] = 0x30 + (v % 10);
  return at + digits;
}

/**
 * A ketama-style ring over every server that exists: `virtualNodes × weight` points per server,
 * accepting or not, so a server that goes down or drains keeps its points and lookups walk past
 * them (its keys go to the next server clockwise; nothing else moves). Call `rebuild()` when
 * weights or size change, never for health.
 */
export class VirtualNodeRing {
  ring: HashRing;
  readonly #pool: PoolView;
  readonly #virtualNodes: number;

  constructor(pool: PoolView, virtualNodes: number) {
    this.#pool = pool;
    this.#virtualNodes = virtualNodes;
    this.ring = this.rebuild();
  }

  rebuild(): HashRing {
    const { size, addresses, weights } = this.#pool;
    return (this.ring = buildRing(addresses.slice(0, size), Int32Array.from(weights.subarray(0, size), (w) => Math.max(0, w) * this.#virtualNodes)));
  }
}
