import type { PoolView } from "./define.js";
import { fullHash } from "./haproxy-hash.js";

/** Nodes per unit of user weight (HAProxy BE_WEIGHT_SCALE). */
export const NODES_PER_WEIGHT = 16;
/** Node keys of one server start at `id * 4096` (SRV_EWGHT_RANGE = 256 * BE_WEIGHT_SCALE). */
const ID_STRIDE = 4096;
/** Server indices are packed below the key when sorting nodes (up to 2^21 servers). */
const INDEX_SPAN = 2 ** 21;

/** Decides whether the walk may stop on a server (bounded load, haproxy-bounded-load.ts). */
export interface ServerFilter {
  admits(server: number): boolean;
}

/**
 * HAProxy's consistent-hash tree of the usable servers (`hash-type consistent`; src/lb_chash.c
 * `chash_init_server_tree`), as sorted typed arrays. A server of user weight w has 16·w nodes with
 * keys `full_hash(id·4096 + j)`, j = 0..16w−1, where id is its numeric server id (`pool.ids`).
 * HAProxy 2.6, which recorded the fixtures, has no `hash-key` directive (added in 3.0): the id is
 * the only node base (newer versions also offer id32, addr, addr-port and guid: configuration.txt
 * `hash-key`).
 */
export class HaproxyChashRing {
  /** Node keys in increasing order; the first `count` entries are in use. */
  keys = new Uint32Array(0);
  /** Server index of each node. */
  servers = new Int32Array(0);
  count = 0;
  /** Usable servers (HAProxy `tot_used`): with exactly one, HAProxy does not hash. */
  used = 0;
  /** Total effective weight of the usable servers (HAProxy `tot_weight`), 16 per unit of user weight. */
  totalWeight = 0;
  /** Effective weight per server (HAProxy `cur_eweight`): 16·w when usable, 0 otherwise; sized by capacity. */
  readonly effective: Int32Array;
  readonly #pool: PoolView;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.effective = new Int32Array(pool.weights.length);
    this.rebuild();
  }

  /**
   * Re-inserts the nodes of the usable (accepting) servers: a server going down or draining loses
   * all its nodes.
   */
  rebuild(): void {
    const { size, weights, accepting, ids } = this.#pool;
    let count = 0, used = 0;
    for (let i = 0; i < size; i++) {
      const nodes = accepting[i] && weights[i] > 0 ? weights[i] * NODES_PER_WEIGHT : 0;
      this.effective[i] = nodes;
      count += nodes;
      if (nodes > 0) used++;
    }
    // Sort (key, server) pairs packed in one float each: key·2^21 + server stays below 2^53.
    // full_hash is a bijection, so keys of distinct (id, j) never tie.
    const packed = new Float64Array(count);
    let n = 0;
    for (let i = 0; i < size; i++) {
      const base = Math.imul(ids[i], ID_STRIDE);
      for (let j = 0; j < this.effective[i]; j++) packed[n++] = fullHash((base + j) >>> 0) * INDEX_SPAN + i;
    }
    packed.sort();
    if (this.keys.length < count) {
      this.keys = new Uint32Array(count);
      this.servers = new Int32Array(count);
    }
    for (let k = 0; k < count; k++) {
      const server = packed[k] % INDEX_SPAN;
      this.servers[k] = server;
      this.keys[k] = (packed[k] - server) / INDEX_SPAN;
    }
    this.count = count;
    this.used = used;
    this.totalWeight = count;
  }

  /**
   * The node nearest to `h` on either side (`chash_get_server_hash`): `next` is the first node
   * with key ≥ h (wrapping to the first), `prev` the one before it (wrapping to the last); the
   * smaller clockwise distance wins and a tie goes to `prev`. Not the ketama successor rule.
   * -1 when the ring is empty.
   */
  nearest(h: number): number {
    const count = this.count, keys = this.keys;
    if (count === 0) return -1;
    let lo = 0, hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    const next = lo === count ? 0 : lo;
    const prev = next === 0 ? count - 1 : next - 1;
    return ((h - keys[prev]) >>> 0) <= ((keys[next] - h) >>> 0) ? prev : next;
  }

  /**
   * The server at `node`, or, while that server is `avoid` (redispatch) or refused by `filter`
   * (bounded load), the next node's clockwise. Like HAProxy, the walk gives up on its second wrap
   * past the end and then returns the last node's server even if it is refused. A saturated server
   * (maxconn) is not skipped: HAProxy 2.6 has no `hash-preserve-affinity` (3.2), so it behaves as
   * that directive's default, `always`.
   */
  walk(node: number, avoid: number, filter: ServerFilter | null): number {
    const count = this.count, servers = this.servers;
    let server = servers[node], loop = 0;
    while (server === avoid || (filter !== null && !filter.admits(server))) {
      if (++node === count) {
        node = 0;
        if (++loop > 1) break;
      }
      server = servers[node];
    }
    return server;
  }
}
