import type { PoolView } from "./define.js";

/** Sum of the configured weights of every server, down ones included (nginx's `peers->total_weight`). */
export function totalWeight(pool: PoolView): number {
  let total = 0;
  for (let i = 0; i < pool.size; i++) total += pool.weights[i];
  return total;
}

/**
 * The server whose weight range holds `w` (0 <= w < total weight), walking the servers in
 * configuration order and subtracting each weight: nginx's `ip_hash`/`hash` peer walk
 * (ngx_http_upstream_get_ip_hash_peer, ngx_http_upstream_get_hash_peer).
 */
export function serverAtWeight(weights: Int32Array, w: number): number {
  let p = 0;
  while (w >= weights[p]) w -= weights[p++];
  return p;
}
