import { count } from "../../scenario/fields.js";
import type { LostCause } from "../../metrics/causes.js";
import { defineStore } from "./define.js";
import { InstantStore, type SessionStore } from "./session-store.js";

/**
 * Client-side tokens (a signed cookie or JWT): servers keep nothing, so any server reads the
 * session, unless the token is larger than the client can carry, in which case it never comes
 * back and every later request starts over.
 */
class TokenStore extends InstantStore implements SessionStore {
  readonly #tooLarge: boolean;

  constructor(sessionBytes: number, maxBytes: number) {
    super();
    this.#tooLarge = sessionBytes > maxBytes;
  }

  created(): void {}

  readFailure(): LostCause | null {
    return this.#tooLarge ? "tokenTooLarge" : null;
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return -1;
  }
}

export const tokenStore = defineStore({
  kind: "token",
  title: "client-side tokens",
  summary: "The session travels with the client as a signed token (cookie or JWT); servers keep nothing.",
  options: {
    sessionBytes: count(1 << 30).default(2048).describe("Size of the encoded session token."),
    maxBytes: count(1 << 30).default(4096).describe("Largest token the client can carry (RFC 6265: at least 4096 bytes per cookie)."),
  },
  create: (options) => new TokenStore(options.sessionBytes, options.maxBytes),
});
