import type { LostCause } from "../metrics/causes.js";
import type { SessionStore } from "./session-store.js";

/**
 * Client-side tokens (a signed cookie or JWT): servers keep nothing, so any server reads the
 * session, unless the token is larger than the client can carry, in which case it never comes
 * back and every later request starts over.
 */
export class TokenStore implements SessionStore {
  readonly tripTime = 0;
  readonly #tooLarge: boolean;

  constructor(sessionBytes: number, maxBytes: number) {
    this.#tooLarge = sessionBytes > maxBytes;
  }

  created(): void {}

  readFailure(): LostCause | null {
    return this.#tooLarge ? "tokenTooLarge" : null;
  }

  heldLocally(): boolean {
    return false;
  }
}
