import { writeDecimal } from "./hash-key.js";
import { md5Head } from "./md5.js";

/**
 * The `ConsistentHash` class of lbsim's seed design document (the guide "Sticky Sessions - Session
 * Affinity Patterns and Implementations", "4. Consistent Hashing"): a worker puts `replicas` points on a ring, point i at
 * parseInt(md5(`${worker.id}:${i}`) hex [0, 8), 16), in a `Map` from point to worker; a key goes to
 * the worker of the first point ≥ parseInt(md5(key) hex [0, 8), 16), wrapping to the first point.
 *
 * Kept as the seed's JavaScript behaves, its Map included: a point another worker already has is
 * overwritten (the later worker takes it), and `removeWorker` deletes a worker's point keys
 * whoever holds them now, so with a 32-bit collision a removal also takes the other worker's
 * point. Points are added and removed as workers are forked and die; the sorted keys are rebuilt
 * after each change, as the seed's `sortedKeys` is.
 */
export class ClusterRing {
  /** Point hash -> server index, in the seed's Map's insertion order. */
  readonly #points = new Map<number, number>();
  /** The point hashes ascending (the seed's `sortedKeys`), and each one's server. */
  #keys = new Uint32Array(0);
  #owners = new Int32Array(0);
  readonly #replicas: number;
  /** "<id>:<i>" as ASCII: an int32 id, ":", a point index below 10,000. */
  readonly #text = new Uint8Array(24);

  constructor(replicas: number) {
    this.#replicas = replicas;
  }

  /** The seed's `addWorker`: worker `id`, running on `server`, sets its points. */
  add(id: number, server: number): void {
    for (let i = 0; i < this.#replicas; i++) this.#points.set(this.#point(id, i), server);
  }

  /** The seed's `removeWorker`: deletes worker `id`'s point keys. */
  remove(id: number): void {
    for (let i = 0; i < this.#replicas; i++) this.#points.delete(this.#point(id, i));
  }

  /** Rebuilds the sorted keys after adds and removes (the seed rebuilds them after each one; the result is the same). */
  sort(): void {
    this.#keys = Uint32Array.from(this.#points.keys()).sort();
    this.#owners = Int32Array.from(this.#keys, (k) => this.#points.get(k)!);
  }

  /** The seed's `getWorker` for a key hashing to `hash`: the server of the first point ≥ hash, wrapping; -1 on an empty ring. */
  lookup(hash: number): number {
    const keys = this.#keys, n = keys.length;
    if (n === 0) return -1;
    let low = 0, high = n;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys[mid] < hash) low = mid + 1;
      else high = mid;
    }
    return this.#owners[low === n ? 0 : low];
  }

  #point(id: number, i: number): number {
    const text = this.#text;
    let n = writeDecimal(id, text, 0);
    text[n++] = 0x3a; // ":"
    n = writeDecimal(i, text, n);
    return md5Head(text, n);
  }
}
