import { z } from "zod";
import { type PoolView, defineStrategy } from "./define.js";
import { type HashRing, VirtualNodeRing, buildRing, envoyRingPoints, ringSuccessor } from "./hash-ring.js";
import { KeyHasher, sessionKeyOption } from "./key-hash.js";
import { wide } from "./u64.js";

/** Envoy's ring size bounds: defaults 1024 and 8M, both limited to 8M (ring_hash.proto). */
const ENVOY_MAX_RING = 8_388_608;

export const ringHashOptions = z
  .strictObject({
    key: sessionKeyOption,
    semantics: z
      .enum(["ketama", "envoy"])
      .default("ketama")
      .describe(
        '"ketama": virtualNodes × weight points per server on a fixed ring; a down server keeps its points and lookups walk clockwise past them. "envoy": Envoy RING_HASH exactly (ring_hash_lb.cc): the ring is rebuilt from the healthy servers on every health change, sized by minimumRingSize/maximumRingSize.',
      ),
    virtualNodes: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(150)
      .describe('Ring points per unit of weight (semantics "ketama"; default 150, a common library choice; ketama and nginx use 160). Ignored by "envoy", which sizes its ring from minimumRingSize.'),
    minimumRingSize: z
      .number()
      .int()
      .min(1)
      .max(ENVOY_MAX_RING)
      .default(1024)
      .describe('Envoy minimum_ring_size (semantics "envoy"; default 1024): the least-weighted server gets ⌈its share × this⌉ points.'),
    maximumRingSize: z
      .number()
      .int()
      .min(1)
      .max(ENVOY_MAX_RING)
      .default(ENVOY_MAX_RING)
      .describe('Envoy maximum_ring_size (semantics "envoy"; default 8,388,608): caps the ring size.'),
  })
  .refine((o) => o.minimumRingSize <= o.maximumRingSize, {
    message: "minimumRingSize must not exceed maximumRingSize (Envoy refuses the configuration)",
    path: ["minimumRingSize"],
  });

/**
 * Consistent hashing on a ring (Karger et al., STOC 1997; Envoy RING_HASH, ring_hash_lb.cc). The
 * key's xxHash64 finds the first ring point at or after it (wrapping), and that point's server
 * takes the request. Ring point j of a server hashes `${address}_${j}` with xxHash64, as Envoy's
 * entries do, so the "envoy" ring reproduces Envoy's exactly.
 *
 * Servers going down or draining (no persistence: the hash decides over accepting servers): with
 * "ketama" the ring keeps every server's points and a lookup walks clockwise to the first accepting
 * server, so only the down server's keys move, to their ring successors. Envoy instead rebuilds the ring from healthy hosts on every health
 * change (thread_aware_lb_impl.cc; its retry predicate steps to the next entry, `(idx + attempt) mod
 * size`): with the default minimum size the survivors then get more points each, and a few keys
 * also move between servers that stayed up. Adding a server takes about 1/(N+1) of the keys,
 * spread ±1/√V.
 */
export const ringHash = defineStrategy({
  id: "ring-hash",
  summary: "Consistent hash ring (ketama-style virtual nodes, or Envoy RING_HASH): adding or removing a server moves about 1/N of the keys.",
  models: "Karger consistent hashing (STOC 1997) / Envoy RING_HASH with xxHash64 (ring_hash_lb.cc)",
  options: ringHashOptions,
  // Envoy's ring never exceeds maximumRingSize; ketama's has virtualNodes points per unit of weight.
  tableEntries: (weights, options) => (options.semantics === "envoy" ? options.maximumRingSize : options.virtualNodes * weights.reduce((a, b) => a + b, 0)),
  create(pool, _random, options) {
    const hasher = new KeyHasher(options.key);
    const hash = wide();
    const ketama = options.semantics === "ketama" ? new VirtualNodeRing(pool, options.virtualNodes) : null;
    // Envoy's ring holds the accepting servers among the first `size`, the only ones that exist.
    const envoyRing = (): HashRing =>
      buildRing(pool.addresses.slice(0, pool.size), envoyRingPoints(pool.weights.subarray(0, pool.size), pool.accepting, options.minimumRingSize, options.maximumRingSize));
    let ring = ketama ? ketama.ring : envoyRing();
    let acceptingCount = countAccepting(pool);
    return {
      poolChanged(what) {
        acceptingCount = countAccepting(pool);
        if (!ketama) ring = envoyRing();
        else if (what !== "health") ring = ketama.rebuild();
      },
      pick(request) {
        const owners = ring.owners, n = owners.length;
        if (n === 0 || acceptingCount === 0) return -1;
        hasher.hash(request, hash);
        const accepting = pool.accepting;
        let i = ringSuccessor(ring, hash.hi, hash.lo);
        for (let walked = 0; walked < n; walked++) {
          const s = owners[i];
          if (accepting[s]) return s;
          if (++i === n) i = 0;
        }
        return -1;
      },
    };
  },
});

function countAccepting(pool: PoolView): number {
  let n = 0;
  for (let s = 0; s < pool.size; s++) n += pool.accepting[s];
  return n;
}
