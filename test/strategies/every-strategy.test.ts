import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate } from "../../sim/model/simulation.js";
import type { PoolChange, RoutingView, StrategyDef } from "../../sim/strategies/define.js";
import { strategies } from "../../sim/strategies/index.js";
import { pool, request, scenario, type TestPool } from "../helpers.js";

/** Strategies that deliberately route to unhealthy servers when none is healthy (fail open). */
const FAILS_OPEN = new Set(["alb-lb-cookie", "alb-app-cookie"]);
/** Strategies whose cookie keeps a client on an eligible server that takes no new clients (a drain). */
const KEEPS_DRAINING = new Set(["cookie-insert", "nginx-sticky-cookie", "chain"]);
/** Strategies whose cookie for such a server is re-balanced (AWS stops routing to deregistering targets; ingress-nginx lists ready pods only). */
const MOVES_DRAINING = new Set(["alb-lb-cookie", "alb-app-cookie", "elb-lb-cookie", "ingress-nginx-affinity"]);

/**
 * Strategies whose pick is a function of the pool and the request alone: after any history they
 * must answer as one created on a pool of just the final servers (a table not rebuilt, or sized
 * for the servers at creation, or built over the whole capacity would not).
 */
const STATELESS = new Set(["haproxy-source", "haproxy-source-consistent", "ring-hash", "maglev", "jump-hash", "rendezvous", "bounded-load", "url-param"]);

const CAPACITY = 12;

const address = fc.nat({ max: 0xffffffff });
const session = fc.integer({ min: -1, max: 1e6 });

/** One step of the pool's life, or a request. Server indices are taken modulo the current size. */
const operation = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("pick" as const),
      address,
      sessionKey: session,
      nextSessionKey: session,
      cookie: fc.integer({ min: -1, max: CAPACITY }),
      cookiesEnabled: fc.constantFrom(0, 1),
      dt: fc.nat(600),
      load: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("roundTrip" as const), address, sessionKey: fc.nat(1e6), dt: fc.nat(600) }) },
  // accepting only where eligible; an eligible server that is not accepting is draining.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("health" as const), server: fc.nat(CAPACITY - 1), eligible: fc.boolean(), accepting: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("weight" as const), server: fc.nat(CAPACITY - 1), weight: fc.integer({ min: 1, max: 256 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("grow" as const), by: fc.integer({ min: 1, max: 3 }) }) },
);

const any = (flags: Uint8Array, size: number) => flags.subarray(0, size).includes(1);

/**
 * Whether `server` is a pick the strategy may make for `r` on `p`: a server that exists and is
 * accepting (so a new client, with no cookie and no session, never lands on a draining server);
 * the server the request's cookie names while it is eligible (and only that) for strategies that
 * keep bound clients on a draining server; any server while none is eligible for the fail-open
 * ALB; -1 only when nothing else is allowed.
 */
function allowed(id: string, p: TestPool, r: RoutingView, server: number): boolean {
  const { size, eligible, accepting } = p;
  if (FAILS_OPEN.has(id) && !any(eligible, size)) return Number.isInteger(server) && server >= 0 && server < size;
  if (KEEPS_DRAINING.has(id) && r.cookie >= 0 && r.cookie < size && eligible[r.cookie] === 1) return server === r.cookie;
  if (server === -1) return !any(accepting, size);
  return Number.isInteger(server) && server >= 0 && server < size && accepting[server] === 1;
}

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function growingPoolProperty(def: StrategyDef<any>) {
  return fc.property(
    fc.integer({ min: 2, max: CAPACITY }).chain((capacity) =>
      fc.record({
        size: fc.integer({ min: 1, max: capacity - 1 }),
        weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: capacity, maxLength: capacity }),
        ops: fc.array(operation, { minLength: 1, maxLength: 30 }),
      }),
    ),
    fc.integer(),
    ({ size, weights, ops }, seed) => {
      const p = pool(size, { weights, capacity: weights.length });
      const strategy = def.create(p, lcg(seed), def.options.parse({}));
      const changed = (what: PoolChange) => strategy.poolChanged?.(what);
      let now = 0;
      const pick = (fields: Partial<RoutingView>) => {
        const r = request({ now, ...fields });
        const server = strategy.pick(r);
        expect(allowed(def.id, p, r, server), `${def.id} picked ${server} for ${JSON.stringify(fields)} with size ${p.size}, eligible ${[...p.eligible]}, accepting ${[...p.accepting]}`).toBe(true);
        return { server, setCookie: r.setCookie };
      };
      for (const op of ops) {
        if (op.kind === "health") {
          const s = op.server % p.size;
          p.eligible[s] = op.eligible ? 1 : 0;
          p.accepting[s] = op.eligible && op.accepting ? 1 : 0;
          changed("health");
        } else if (op.kind === "weight") {
          p.weights[op.server % p.size] = op.weight;
          changed("weights");
        } else if (op.kind === "grow") {
          if (p.size === weights.length) continue; // full: weights.length is the capacity
          const to = Math.min(weights.length, p.size + op.by);
          p.eligible.fill(1, p.size, to);
          p.accepting.fill(1, p.size, to);
          p.size = to;
          changed("size");
        } else if (op.kind === "pick") {
          now += op.dt;
          const { server } = pick({ address: op.address, sessionKey: op.sessionKey, nextSessionKey: op.nextSessionKey, cookie: op.cookie, cookiesEnabled: op.cookiesEnabled });
          if (op.load && server >= 0) p.active[server]++;
        } else {
          // A new client gets a cookie; its server then drains; the client comes back with the cookie.
          now += op.dt;
          const first = pick({ address: op.address, sessionKey: op.sessionKey });
          const c = first.setCookie;
          if (c < 0 || p.eligible[c] !== 1) continue;
          expect(KEEPS_DRAINING.has(def.id) || MOVES_DRAINING.has(def.id), `${def.id} sets cookies: classify it`).toBe(true);
          p.accepting[c] = 0;
          changed("health");
          now += 1;
          const again = pick({ address: op.address, sessionKey: op.sessionKey, cookie: c });
          if (KEEPS_DRAINING.has(def.id)) expect(again.server).toBe(c);
          else expect(again.server).not.toBe(c);
        }
      }
      if (STATELESS.has(def.id)) {
        const final = pool(p.size, { weights: Array.from(p.weights.subarray(0, p.size)) });
        for (const key of ["eligible", "accepting", "active"] as const) final[key].set(p[key].subarray(0, p.size));
        const fresh = def.create(final, lcg(seed), def.options.parse({}));
        for (let k = 0; k < 20; k++) {
          const r = { now, address: Math.imul(k + 1, 0x9e3779b1) >>> 0, sessionKey: k };
          expect(strategy.pick(request(r)), `${def.id} after its history, key ${k}`).toBe(fresh.pick(request(r)));
        }
      }
    },
  );
}

describe("every registered strategy", () => {
  for (const def of strategies) {
    it(`${def.id}: picks only eligible servers, and -1 only when none is eligible`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }).chain((n) =>
            fc.record({
              weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
              down: fc.subarray(Array.from({ length: n }, (_, i) => i)),
              requests: fc.array(
                fc.record({ address: fc.nat({ max: 0xffffffff }), sessionKey: fc.integer({ min: -1, max: 1e6 }), cookie: fc.integer({ min: -1, max: n + 1 }), now: fc.nat({ max: 100_000 }) }),
                { minLength: 1, maxLength: 30 },
              ),
            }),
          ),
          fc.integer(),
          ({ weights, down, requests }, seed) => {
            const p = pool(weights.length, { weights, down });
            let state = seed >>> 0;
            const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
            const strategy = def.create(p, random, def.options.parse({}));
            strategy.poolChanged?.("health");
            const anyEligible = down.length < weights.length;
            return requests
              .sort((a, b) => a.now - b.now)
              .every((r) => {
                const s = strategy.pick(request(r));
                if (!anyEligible) return s === -1 || FAILS_OPEN.has(def.id);
                return Number.isInteger(s) && s >= 0 && s < weights.length && p.eligible[s] === 1;
              });
          },
        ),
        { numRuns: 150 },
      );
    });

    it(`${def.id}: in a pool that grows, drains and reweighs, new clients go to accepting servers only`, () => {
      fc.assert(growingPoolProperty(def), { numRuns: 30 });
    });
  }

  it("each runs a whole scenario with a crash, deterministically", () => {
    const s = scenario({
      duration: "10m",
      replications: 1,
      clients: { visitsPerSecond: 3, requestsPerVisit: 8, think: "3s", nat: { fraction: 0.3, groupSize: 10 }, mobile: { fraction: 0.2 }, cookies: { disabledFraction: 0.1 } },
      servers: { count: 4 },
      strategies: strategies.map((d) => d.id),
      events: [{ at: "4m", crash: "s2" }, { at: "7m", recover: "s2" }],
    });
    for (const entry of s.strategies) {
      const a = simulate(s, entry, 0), b = simulate(s, entry, 0);
      expect(a.metrics.requests, entry.id).toBeGreaterThan(1000);
      expect(a.metrics.sessions, entry.id).toBeGreaterThan(0);
      expect(JSON.stringify(b), entry.id).toBe(JSON.stringify(a));
    }
  });
});
