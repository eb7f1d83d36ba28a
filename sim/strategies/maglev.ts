import { z } from "zod";
import { type PoolView, defineStrategy } from "./define.js";
import { KeyHasher, sessionKeyOption } from "./key-hash.js";
import { mod64, wide } from "./u64.js";
import { xxh64String } from "./xxhash64.js";

/** Envoy's upper limit on the table size (maglev_lb.cc). */
const MAX_TABLE_SIZE = 5_000_011;

export function isPrime(n: number): boolean {
  if (n < 2 || !Number.isInteger(n)) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/**
 * Maglev's table population (Pseudocode 1 of Eisenbud et al. 2016, with Envoy's weighting from
 * maglev_lb.cc). Entry i has the permutation (offset[i] + j·skip[i]) mod M and the normalised
 * weight weights[i]; in round k an entry takes a turn unless k·weight < its running target, and
 * each turn adds `maxWeight` to the target, so an entry of the largest weight takes every round and
 * one of a third of it every third. With equal weights this is the paper's algorithm exactly. Fills
 * `table` (length M, prime) with entry indices and returns each entry's slot count.
 */
export function populateMaglev(
  offsets: ArrayLike<number>,
  skips: ArrayLike<number>,
  weights: ArrayLike<number>,
  maxWeight: number,
  table: Int32Array,
): Int32Array {
  const m = table.length, k = offsets.length;
  const counts = new Int32Array(k);
  if (k === 0) return counts;
  const next = new Float64Array(k), target = new Float64Array(k);
  table.fill(-1);
  let filled = 0;
  for (let round = 1; filled < m; round++) {
    for (let i = 0; i < k && filled < m; i++) {
      if (round * weights[i] < target[i]) continue;
      target[i] += maxWeight;
      let c = (offsets[i] + skips[i] * next[i]) % m;
      while (table[c] >= 0) c = (offsets[i] + skips[i] * ++next[i]) % m;
      table[c] = i;
      next[i]++;
      counts[i]++;
      filled++;
    }
  }
  return counts;
}

/**
 * Envoy's Maglev table for the accepting servers (maglev_lb.cc): servers sorted
 * by host key (the address text) so the table does not depend on configuration order;
 * offset = xxHash64(address) mod M, skip = xxHash64(address, seed 1) mod (M − 1) + 1; weights
 * normalised over the accepting servers. Returns the table as server indices (-1 everywhere when
 * no server is accepting).
 */
export function buildMaglevTable(pool: PoolView, table: Int32Array): Int32Array {
  const m = table.length;
  const servers: number[] = [];
  let sum = 0;
  for (let s = 0; s < pool.size; s++) {
    if (pool.accepting[s] && pool.weights[s] > 0) {
      servers.push(s);
      sum += pool.weights[s];
    }
  }
  if (servers.length === 0) return table.fill(-1);
  servers.sort((a, b) => (pool.addresses[a] < pool.addresses[b] ? -1 : pool.addresses[a] > pool.addresses[b] ? 1 : a - b));
  const h = wide();
  const offsets = new Float64Array(servers.length), skips = new Float64Array(servers.length), weights = new Float64Array(servers.length);
  let maxWeight = 0;
  servers.forEach((s, i) => {
    xxh64String(pool.addresses[s], 0, h);
    offsets[i] = mod64(h.hi, h.lo, m);
    xxh64String(pool.addresses[s], 1, h);
    skips[i] = mod64(h.hi, h.lo, m - 1) + 1;
    weights[i] = (pool.weights[s] * 1.0) / sum;
    maxWeight = Math.max(maxWeight, weights[i]);
  });
  populateMaglev(offsets, skips, weights, maxWeight, table);
  for (let c = 0; c < m; c++) table[c] = servers[table[c]];
  return table;
}

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016) as Envoy's MAGLEV load balancer builds
 * it (maglev_lb.cc): a lookup table of M (prime, default 65,537) entries, each backend
 * taking ⌊M/N⌋ or ⌈M/N⌉ of them, and a request goes to `table[hash mod M]`. The table is rebuilt
 * from the accepting servers whenever the pool changes, as Envoy rebuilds it from healthy hosts:
 * a down server's entries go to the others, plus a few collateral entries move between servers
 * that stayed up (N = 100 → 99: about 1.5 % of keys move against the 1 % minimum).
 */
export const maglev = defineStrategy({
  id: "maglev",
  summary: "Maglev lookup table (Envoy MAGLEV, 65,537 entries): near-perfect balance, slightly more than minimal movement on changes.",
  models: "Maglev (Eisenbud et al., NSDI 2016) as Envoy MAGLEV builds it (maglev_lb.cc)",
  options: z.strictObject({
    key: sessionKeyOption,
    tableSize: z
      .number()
      .int()
      .min(2)
      .max(MAX_TABLE_SIZE)
      .default(65_537)
      .refine(isPrime, { message: "tableSize must be a prime number (Envoy refuses others)" })
      .describe("Lookup table size M, a prime (Envoy default 65,537, at most 5,000,011); larger tables move fewer extra keys on changes."),
  }),
  tableEntries: (_weights, options) => options.tableSize,
  create(pool, _random, options) {
    const hasher = new KeyHasher(options.key);
    const hash = wide();
    const table = buildMaglevTable(pool, new Int32Array(options.tableSize));
    return {
      poolChanged() {
        buildMaglevTable(pool, table);
      },
      pick(request) {
        if (table[0] < 0) return -1;
        hasher.hash(request, hash);
        return table[mod64(hash.hi, hash.lo, table.length)];
      },
    };
  },
});
