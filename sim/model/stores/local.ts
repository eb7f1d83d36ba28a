import type { LostCause } from "../../metrics/causes.js";
import { defineStore, type StoreContext } from "./define.js";
import { InstantStore, type SessionStore } from "./session-store.js";

/** Sessions in the memory of the server that created them; a crash or stop of that server loses them. */
class LocalStore extends InstantStore implements SessionStore {
  readonly #servers: StoreContext;
  #home = new Int32Array(1024);
  #homeEpoch = new Int32Array(1024);

  constructor(servers: StoreContext) {
    super();
    this.#servers = servers;
  }

  created(slot: number, server: number): void {
    if (slot >= this.#home.length) this.#grow(slot);
    this.#home[slot] = server;
    this.#homeEpoch[slot] = this.#servers.epoch[server];
  }

  readFailure(slot: number, server: number): LostCause | null {
    const home = this.#home[slot];
    if (this.#homeEpoch[slot] !== this.#servers.epoch[home]) return this.#servers.memoryLostBy[home];
    return home === server ? null : "remapped";
  }

  lostBy(slot: number): number {
    return this.#servers.memoryLostByEvent[this.#home[slot]];
  }

  heldLocally(slot: number, server: number): boolean {
    return this.#home[slot] === server && this.#homeEpoch[slot] === this.#servers.epoch[server];
  }

  #grow(slot: number): void {
    let n = this.#home.length;
    while (n <= slot) n *= 2;
    const home = new Int32Array(n), epoch = new Int32Array(n);
    home.set(this.#home);
    epoch.set(this.#homeEpoch);
    this.#home = home;
    this.#homeEpoch = epoch;
  }
}

export const localStore = defineStore({
  kind: "local",
  title: "local memory",
  summary: "Each server keeps sessions in its own memory; a crash loses them.",
  options: {},
  create: (_options, context) => new LocalStore(context),
});
