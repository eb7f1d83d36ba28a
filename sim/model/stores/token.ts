import { z } from "zod";
import { count, positiveDuration } from "../../scenario/fields.js";
import type { LostCause } from "../../metrics/causes.js";
import type { StoreFigures } from "../../metrics/result.js";
import { defineStore } from "./define.js";
import { grown, grownLength } from "./grow.js";
import { InstantStore, type SessionStore } from "./session-store.js";

interface TokenOptions {
  sessionBytes: number;
  growBytes: number;
  maxBytes: number;
  lifetime?: number;
  refresh: "sliding" | "none";
  denylist?: number;
}

/**
 * Client-side tokens (a signed cookie or JWT): servers keep nothing, so any server reads the
 * session, unless the token is larger than the client can carry, in which case it never comes
 * back and every later request starts over. A token that grows (the application adds to the
 * session at every request it serves: a cart, a permission list) is `sessionBytes` when the
 * session starts and `growBytes` more with each later response. RFC 6265 section 6.1 asks
 * browsers for at least 4096 bytes a cookie, and its revision (draft-ietf-httpbis-rfc6265bis)
 * has them ignore a Set-Cookie whose name and value pass 4096 bytes: once the token has passed
 * `maxBytes`, what the application wrote is not in the next request. lbsim counts the session
 * lost there (cause `tokenTooLarge`) and starts it over, small again. A token with a lifetime
 * (JWT `exp`, RFC 7519 §4.1.4) is refused once it has passed it (cause `tokenExpired`), counted
 * from the login or, refreshed on every response, from the last one. Nothing can take a valid
 * token back without server state: a revoked session keeps working until its token expires, or
 * until a denylist (keyed by `jti`, RFC 7519 §4.1.7) has reached every server.
 */
class TokenStore extends InstantStore implements SessionStore {
  readonly #o: TokenOptions;
  readonly #tooLarge: boolean;
  /** When each user's token was issued (at login, or at its last response with sliding refresh). */
  #issuedAt = new Float64Array(1024);
  /** Seconds a revoked token would have kept working, summed over the reads that found a valid token. */
  #revocationSum = 0;
  #reads = 0;

  constructor(options: TokenOptions) {
    super();
    this.#o = options;
    this.#tooLarge = options.sessionBytes > options.maxBytes;
  }

  created(slot: number, _server: number, now: number): void {
    if (slot >= this.#issuedAt.length) this.#grow(slot);
    this.#issuedAt[slot] = now;
  }

  readFailure(slot: number, _server: number, now: number): LostCause | null {
    if (this.#tooLarge) return "tokenTooLarge";
    const { lifetime, refresh, denylist } = this.#o;
    if (lifetime === undefined) return null;
    const left = this.#issuedAt[slot] + lifetime - now;
    if (left < 0) return "tokenExpired";
    // Revoked now, this token would keep working for what is left of it, or until the denylist arrives.
    this.#revocationSum += denylist === undefined ? left : Math.min(left, denylist);
    this.#reads++;
    if (refresh === "sliding") this.#issuedAt[slot] = now;
    return null;
  }

  /** The mean time a session revoked at one of its requests keeps working; null when tokens never expire (or none was read). */
  figures(): Partial<StoreFigures> {
    return { revocationSeconds: this.#reads > 0 ? this.#revocationSum / this.#reads : null };
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return -1;
  }

  #grow(slot: number): void {
    this.#issuedAt = grown(this.#issuedAt, grownLength(this.#issuedAt.length, slot));
  }
}

/**
 * A token that grows, `growBytes` at every response after the session's first (a store of its
 * own, so a token that does not grow runs exactly the code above). The token the client sends
 * with a request came with the response to the one before: after `writes` responses since the
 * session started it is `sessionBytes + growBytes × writes`. Past `maxBytes` the client never
 * kept it; otherwise this request's response makes it larger.
 */
class GrowingTokenStore extends TokenStore {
  readonly #base: number;
  readonly #step: number;
  readonly #max: number;
  /** Responses since each user's session started. */
  #writes = new Int32Array(1024);

  constructor(options: TokenOptions) {
    super(options);
    this.#base = options.sessionBytes;
    this.#step = options.growBytes;
    this.#max = options.maxBytes;
  }

  override created(slot: number, server: number, now: number): void {
    super.created(slot, server, now);
    if (slot >= this.#writes.length) this.#writes = grown(this.#writes, grownLength(this.#writes.length, slot));
    this.#writes[slot] = 0;
  }

  override readFailure(slot: number, server: number, now: number): LostCause | null {
    const bytes = this.#base + this.#step * this.#writes[slot];
    if (bytes > this.#max) return "tokenTooLarge";
    this.#writes[slot]++;
    return super.readFailure(slot, server, now);
  }
}

export const tokenStore = defineStore({
  kind: "token",
  title: "client-side tokens",
  summary: "The session travels with the client as a signed token (cookie or JWT); servers keep nothing, and a revoked token works until it expires.",
  options: {
    sessionBytes: count(1 << 30).default(2048).describe("Size of the encoded session token when the session starts."),
    growBytes: z
      .number()
      .int()
      .nonnegative()
      .max(1 << 30)
      .default(0)
      .describe("Bytes the application adds to the token at every later request it serves (a cart, a permission list); default 0: it never grows."),
    maxBytes: count(1 << 30).default(4096).describe("Largest token the client can carry (RFC 6265: at least 4096 bytes per cookie)."),
    lifetime: positiveDuration.optional().describe("The token's lifetime (JWT exp); default: it never expires (a signed session cookie)."),
    refresh: z.enum(["sliding", "none"]).default("sliding").describe("sliding: a new token on every response; none: the lifetime counts from the login."),
    denylist: positiveDuration.optional().describe("Seconds a revocation takes to reach every server through a denylist; default: no denylist."),
  },
  create: (options) => {
    const o = options as TokenOptions;
    return o.growBytes > 0 && o.sessionBytes <= o.maxBytes ? new GrowingTokenStore(o) : new TokenStore(o);
  },
});
