import type { LostCause } from "../../metrics/causes.js";
import { count } from "../../scenario/fields.js";
import { defineStore, type StoreContext } from "./define.js";
import { grown, grownLength } from "./grow.js";
import { ServerMemory } from "./server-memory.js";
import { InstantStore, type SessionStore } from "./session-store.js";

/** Sessions in the memory of the server that created them; a crash or stop of that server loses them. */
class LocalStore extends InstantStore implements SessionStore {
  readonly sessionBytes: number;
  readonly #servers: StoreContext;
  readonly #memory: ServerMemory;
  #home = new Int32Array(1024);
  #homeEpoch = new Int32Array(1024);
  /** The memory record of each user's session on its home server. */
  #record = new Int32Array(1024);

  constructor(servers: StoreContext, sessionBytes: number) {
    super();
    this.#servers = servers;
    this.sessionBytes = sessionBytes;
    this.#memory = new ServerMemory(servers.capacity, servers.epoch, servers.idleTimeout, servers.cleanupEvery);
  }

  created(slot: number, server: number, now: number): void {
    if (slot >= this.#home.length) this.#grow(slot);
    this.#home[slot] = server;
    this.#homeEpoch[slot] = this.#servers.epoch[server];
    // A copy the user had elsewhere stays there until it expires and is cleaned up.
    this.#record[slot] = this.#memory.add(server, now);
  }

  readFailure(slot: number, server: number, now: number): LostCause | null {
    const home = this.#home[slot];
    if (this.#homeEpoch[slot] !== this.#servers.epoch[home]) return this.#servers.memoryLostBy[home];
    if (home !== server) return "remapped";
    this.#memory.touch(this.#record[slot], now);
    return null;
  }

  held(now: number): Int32Array {
    this.#memory.update(now);
    return this.#memory.held;
  }

  lostBy(slot: number): number {
    return this.#servers.memoryLostByEvent[this.#home[slot]];
  }

  heldLocally(slot: number, server: number): boolean {
    return this.#home[slot] === server && this.#homeEpoch[slot] === this.#servers.epoch[server];
  }

  #grow(slot: number): void {
    const n = grownLength(this.#home.length, slot);
    this.#home = grown(this.#home, n);
    this.#homeEpoch = grown(this.#homeEpoch, n);
    this.#record = grown(this.#record, n);
  }
}

export const localStore = defineStore({
  kind: "local",
  title: "local memory",
  summary: "Each server keeps sessions in its own memory; a crash loses them.",
  options: {
    sessionBytes: count(1 << 30).default(2048).describe("Bytes one session takes in a server's memory, for the memory held per server."),
  },
  create: (options, context) => new LocalStore(context, options.sessionBytes),
});
