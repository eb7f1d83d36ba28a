import type { PoolView } from "./define.js";

/**
 * The primary process's `workers` array of a clustered Node.js application, over the pool's
 * servers as its workers. Node numbers workers from 1 as it forks them and never reuses an id
 * (`cluster.fork`: `const id = ++ids`, nodejs/node lib/internal/cluster/primary.js). Both the
 * application code routing in the primary and the sticky-session module keep the array in fork
 * order: a worker that dies is spliced out, and the one forked to replace it is pushed at the end
 * with a new id (indutny/sticky-session 1.1.2, lib/sticky/master.js, `respawn` and `spawnWorker`).
 *
 * A server is a worker while it is accepting. One that stops (a crash the balancer has noticed, a
 * stop, a drain, a removal) leaves the array; when it accepts again it is a new worker, forked
 * then, so whatever named its old id is stale. Servers added to the pool are forked in index order.
 */
export class ClusterWorkers {
  /** Server index of each worker, in the array's order; the first `count` entries are in use. */
  readonly order: Int32Array;
  count = 0;
  /** The id of the worker each server runs now, 0 when it runs none. */
  readonly idOf: Int32Array;
  /** Server index per worker id, -1 once that worker has died; index 0 is never an id. */
  #serverOf = new Int32Array(64).fill(-1);
  #lastId = 0;
  readonly #pool: PoolView;

  constructor(pool: PoolView) {
    this.#pool = pool;
    this.order = new Int32Array(pool.weights.length);
    this.idOf = new Int32Array(pool.weights.length);
    this.sync();
  }

  /** The server the worker with this id runs, -1 when it has died or the id is 0 (none). */
  serverOf(id: number): number {
    return id > 0 && id <= this.#lastId ? this.#serverOf[id] : -1;
  }

  /**
   * Brings the array up to date with the pool: the workers whose server stopped accepting die
   * (spliced out, the others keeping their order), then every accepting server without a worker
   * forks one, pushed at the end. `died` and `forked` hear of each, in that order.
   */
  sync(died?: (id: number, server: number) => void, forked?: (id: number, server: number) => void): void {
    const { size, accepting } = this.#pool;
    let kept = 0;
    for (let j = 0; j < this.count; j++) {
      const server = this.order[j];
      if (accepting[server]) {
        this.order[kept++] = server;
        continue;
      }
      const id = this.idOf[server];
      this.idOf[server] = 0;
      this.#serverOf[id] = -1;
      died?.(id, server);
    }
    this.count = kept;
    for (let server = 0; server < size; server++) {
      if (!accepting[server] || this.idOf[server] !== 0) continue;
      const id = ++this.#lastId;
      if (id >= this.#serverOf.length) {
        const grown = new Int32Array(2 * this.#serverOf.length).fill(-1);
        grown.set(this.#serverOf);
        this.#serverOf = grown;
      }
      this.#serverOf[id] = server;
      this.idOf[server] = id;
      this.order[this.count++] = server;
      forked?.(id, server);
    }
  }
}
