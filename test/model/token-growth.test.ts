import { describe, expect, it } from "vitest";
import { z } from "zod";
import { simulate } from "../../sim/model/simulation.js";
import type { StoreContext } from "../../sim/model/stores/define.js";
import type { SessionStore } from "../../sim/model/stores/session-store.js";
import { tokenStore } from "../../sim/model/stores/token.js";
import { scenarioSchema } from "../../sim/scenario/schema.js";
import { scenario } from "../helpers.js";

// A client-side token that grows: `sessionBytes` when the session starts, `growBytes` more with
// every later response. Browsers keep a cookie of at least 4096 bytes (RFC 6265 section 6.1) and
// ignore a Set-Cookie past that, so the request after the one that grew it past `maxBytes`
// comes without it (cause tokenTooLarge) and the session starts over, small again.

type TokenStore = SessionStore;

const options = z.strictObject(tokenStore.options);

/** A token store with these options (defaults filled in as a scenario would). The token store reads nothing of the context. */
function token(given: Record<string, unknown>): TokenStore {
  return tokenStore.create(options.parse(given), {} as StoreContext) as TokenStore;
}

/** The causes of the reads of requests 2, 3, … of a session of `slot` started at 0, one a second. */
function reads(store: SessionStore, slot: number, count: number, from = 1): (string | null)[] {
  return Array.from({ length: count }, (_, i) => store.readFailure(slot, 0, from + i));
}

describe("a token that grows with every response", () => {
  it("fits while it is at most maxBytes, and the request after the response that passed it finds no session", () => {
    const store = token({ sessionBytes: 1000, growBytes: 1000 });
    store.created(0, 0, 0);
    // The responses to requests 1..5 carry 1000, 2000, 3000, 4000 and 5000 bytes; request k sends
    // back what request k-1's response set: requests 2..5 carry at most 4000, request 6 nothing.
    expect(reads(store, 0, 5)).toEqual([null, null, null, null, "tokenTooLarge"]);
  });

  it("a token of exactly maxBytes still fits", () => {
    const store = token({ sessionBytes: 2048, growBytes: 1024 });
    store.created(0, 0, 0);
    // 2048, 3072, 4096 (= maxBytes, kept), 5120 (ignored by the browser).
    expect(reads(store, 0, 4)).toEqual([null, null, null, "tokenTooLarge"]);
  });

  it("starts over at sessionBytes once lost, and every session outgrows the limit after as many requests", () => {
    const store = token({ sessionBytes: 1000, growBytes: 1000 });
    store.created(0, 0, 0);
    expect(reads(store, 0, 5)).toEqual([null, null, null, null, "tokenTooLarge"]);
    store.created(0, 0, 6); // the application starts a new session at that request
    expect(reads(store, 0, 5, 7)).toEqual([null, null, null, null, "tokenTooLarge"]);
  });

  it("keeps each user's count apart, for users past the first arrays' length too", () => {
    const store = token({ sessionBytes: 1000, growBytes: 1000 });
    store.created(3, 0, 0);
    expect(reads(store, 3, 3)).toEqual([null, null, null]);
    store.created(5000, 0, 0);
    expect(reads(store, 5000, 4)).toEqual([null, null, null, null]);
    // User 3 carried 1000..3000 and has a 4000-byte token now: one more read fits, the next does not.
    expect(reads(store, 3, 2)).toEqual([null, "tokenTooLarge"]);
    expect(store.readFailure(5000, 0, 10)).toBe("tokenTooLarge");
  });

  it("without growth is always sessionBytes and never too large; larger than maxBytes from the start, never comes back", () => {
    const still = token({ sessionBytes: 4096 });
    still.created(0, 0, 0);
    expect(reads(still, 0, 100).every((cause) => cause === null)).toBe(true);
    const big = token({ sessionBytes: 5000, growBytes: 10 });
    big.created(0, 0, 0);
    expect(reads(big, 0, 3)).toEqual(["tokenTooLarge", "tokenTooLarge", "tokenTooLarge"]);
  });

  it("a token that outgrew the limit never came back, so it is too large rather than expired; an expired one starts over small", () => {
    const store = token({ sessionBytes: 1000, growBytes: 1000, lifetime: 3, refresh: "none" });
    store.created(0, 0, 0);
    // Reads at 1..3 s fit and are within the 3 s lifetime; at 4 s the 4000-byte token has expired.
    expect(reads(store, 0, 4)).toEqual([null, null, null, "tokenExpired"]);
    store.created(0, 0, 4);
    expect(reads(store, 0, 4, 5)).toEqual([null, null, null, "tokenExpired"]);
    // Growing faster than it expires: the read at 3 s finds no token, whatever its age.
    const fast = token({ sessionBytes: 2000, growBytes: 2000, lifetime: 2, refresh: "none" });
    fast.created(0, 0, 0);
    expect(reads(fast, 0, 3)).toEqual([null, null, "tokenTooLarge"]);
  });

  it("is an option of the token store: a whole number of bytes, 0 (no growth) by default", () => {
    const parse = (store: Record<string, unknown>) => scenarioSchema.safeParse({ servers: { count: 1 }, store: { kind: "token", ...store }, strategies: ["client-token"] });
    const parsed = parse({});
    expect(parsed.success && parsed.data.store.growBytes).toBe(0);
    expect(parse({ growBytes: 64 }).success).toBe(true);
    expect(parse({ growBytes: -1 }).success).toBe(false);
    expect(parse({ growBytes: 1.5 }).success).toBe(false);
    expect(parse({ kind: "shared", growBytes: 64 }).success).toBe(false);
  });
});

describe("a growing token in a run", () => {
  /** 20 users, each one visit of `requests` requests 10 s apart, all over long before the run ends. */
  function run(requests: number, store: Record<string, unknown> = {}) {
    const s = scenario({
      duration: "2h",
      replications: 1,
      clients: { count: 20, visitsPerSecond: 1, requestsPerVisit: requests, think: "10s" },
      servers: { count: 2, service: "1ms" },
      store: { kind: "token", sessionBytes: 1024, growBytes: 100, ...store },
      strategies: ["round-robin"],
    });
    return simulate(s, s.strategies[0], 0).metrics;
  }

  // The response to a session's k-th request sets 1024 + 100 (k - 1) bytes: 4024 at the 31st,
  // 4124 at the 32nd, so the 33rd request comes without it and starts a new session, which the
  // 65th loses again (the 33rd is that session's first).
  it.each([
    [32, 0],
    [33, 1],
    [64, 1],
    [65, 2],
  ])("a visit of %i requests loses its session %i times", (requests, losses) => {
    const m = run(requests);
    expect(m.visits).toBe(20);
    expect(m.requests).toBe(20 * requests);
    expect(m.lostByCause.tokenTooLarge).toBe(20 * losses);
    expect(m.lostSessions).toBe(20 * losses);
    expect(m.disruptedVisits).toBe(losses > 0 ? 20 : 0);
    // Each loss starts the session over.
    expect(m.sessions).toBe(20 * (1 + losses));
  });

  it("a larger limit holds more requests", () => {
    // With 8192 bytes: the 72nd response sets 8124 bytes, the 73rd 8224, so the 74th request comes without it.
    expect(run(73, { maxBytes: 8192 }).lostSessions).toBe(0);
    expect(run(74, { maxBytes: 8192 }).lostSessions).toBe(20);
  });
});
