import { grown } from "./grow.js";

/**
 * The sessions each server holds in its memory, expired ones included until the application's
 * cleanup removes them (express-session's MemoryStore prunes on a timer, many hand-written stores
 * on an interval of their own, some never). A copy stays on a server after its user's session
 * moved elsewhere, until it expires and is cleaned up; a crash or stop empties the server.
 * Cleanups run every `cleanupEvery` seconds from time 0; the counts are brought up to date when
 * they are read, which gives what running each cleanup on time would.
 */
export class ServerMemory {
  /** Sessions held per server (valid after `update`). */
  readonly held: Int32Array;
  readonly #epoch: Int32Array;
  readonly #idleTimeout: number;
  readonly #cleanupEvery: number;
  /** Records: the server holding a copy, its epoch then, when the copy was last used; `#free` lists unused records. */
  #server = new Int32Array(1024);
  #recordEpoch = new Int32Array(1024);
  #lastSeen = new Float64Array(1024);
  #used = 0;
  readonly #free: number[] = [];

  constructor(capacity: number, epoch: Int32Array, idleTimeout: number, cleanupEvery: number) {
    this.held = new Int32Array(capacity);
    this.#epoch = epoch;
    this.#idleTimeout = idleTimeout;
    this.#cleanupEvery = cleanupEvery;
  }

  /** A new copy on `server`, used at `now`; returns its record. */
  add(server: number, now: number): number {
    const r = this.#free.length > 0 ? (this.#free.pop() as number) : this.#used++;
    if (r >= this.#server.length) this.#grow();
    this.#server[r] = server;
    this.#recordEpoch[r] = this.#epoch[server];
    this.#lastSeen[r] = now;
    this.held[server]++;
    return r;
  }

  /** The copy in record `r` was used at `now`. */
  touch(r: number, now: number): void {
    this.#lastSeen[r] = now;
  }

  /** Brings the counts to `now`: copies on servers whose memory was lost since are gone, and so are those the last cleanup found expired. */
  update(now: number): void {
    const every = this.#cleanupEvery;
    const cleanup = Number.isFinite(every) ? Math.floor(now / every) * every : -Infinity;
    const expiredBefore = cleanup - this.#idleTimeout;
    for (let r = 0; r < this.#used; r++) {
      const server = this.#server[r];
      if (server < 0) continue;
      if (this.#recordEpoch[r] !== this.#epoch[server] || this.#lastSeen[r] < expiredBefore) {
        this.held[server]--;
        this.#server[r] = -1;
        this.#free.push(r);
      }
    }
  }

  #grow(): void {
    const n = this.#server.length * 2;
    this.#server = grown(this.#server, n);
    this.#recordEpoch = grown(this.#recordEpoch, n);
    this.#lastSeen = grown(this.#lastSeen, n);
  }
}
