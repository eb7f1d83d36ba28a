import { duration } from "../../scenario/fields.js";
import type { LostCause } from "../../metrics/causes.js";
import { defineStore } from "./define.js";
import type { SessionStore } from "./session-store.js";

/**
 * A Redis-like store every server reaches over the network: any server can read any session,
 * at the cost of a read and a write round trip per request.
 */
class SharedStore implements SessionStore {
  readonly tripTime: number;

  constructor(latency: number) {
    this.tripTime = 2 * latency;
  }

  created(): void {}

  readFailure(): LostCause | null {
    return null;
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return -1;
  }
}

export const sharedStore = defineStore({
  kind: "shared",
  title: "shared store",
  summary: "A Redis-like store every server reads and writes over the network.",
  options: {
    latency: duration.default(0.001).describe("One round trip; each request reads and writes the session once."),
  },
  create: (options) => new SharedStore(options.latency),
});
