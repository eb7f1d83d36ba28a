import { readFileSync } from "node:fs";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { stream } from "../../sim/engine/random.js";
import { simulate } from "../../sim/model/simulation.js";
import { ingressNginxAffinity, writeStickyKey } from "../../sim/strategies/ingress-nginx-affinity.js";
import { RestyChashRing } from "../../sim/strategies/resty-chash.js";
import { pool, request, scenario, type TestPool } from "../helpers.js";
import { scripted } from "./scripted-random.js";

interface Case {
  nodes: string[];
  firstPoints: [number, number][];
  owners: string;
}
/** Rings computed by lua-resty-balancer's own chash.c (test/fixtures/resty-chash/README.md). */
/** The cookie lbsim keeps for a balanced-mode key: the key's CRC-32, which is all the ring reads of it. */
const keyCookie = (key: string) => zlibCrc32(Buffer.from(key));

const vectors = JSON.parse(readFileSync(new URL("../fixtures/resty-chash/vectors.json", import.meta.url), "utf8")) as { cases: Case[] };
const vectorKey = (k: number) => `${1_700_000_001 + k}.125.31337.${((k * 7919) % 999_999) + 1}`;

const create = (p: TestPool, random: () => number, options: Record<string, unknown> = {}) => ingressNginxAffinity.create(p, random, ingressNginxAffinity.options.parse(options));

function ringOver(addresses: string[], order = addresses.map((_, i) => i)): RestyChashRing {
  const ring = new RestyChashRing(addresses, addresses.length);
  ring.rebuild(Int32Array.from(order), order.length);
  return ring;
}

/**
 * A pool that grows as the balancer's does: an added server's address is appended when it joins
 * (the helper's pool lists every address up front).
 */
function growable(size: number, capacity: number, addresses?: string[]): { p: TestPool; grow(to: number): void } {
  const full = pool(size, { capacity, addresses });
  const p: TestPool = { ...full, addresses: full.addresses.slice(0, size) };
  const grow = (to: number) => {
    for (let s = p.size; s < to; s++) (p.addresses as string[]).push(full.addresses[s]);
    p.eligible.fill(1, 0, to);
    p.accepting.fill(1, 0, to);
    p.size = to;
  };
  return { p, grow };
}

/** A new session's request: its cookie, if the response set one, goes in `cookies[i]`. */
function firstRequests(s: ReturnType<typeof create>, n: number): { servers: Int32Array; cookies: Float64Array } {
  // Float64: a balanced-mode cookie is a 32-bit unsigned hash.
  const servers = new Int32Array(n), cookies = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = request({ now: i * 0.001 });
    servers[i] = s.pick(r);
    cookies[i] = r.setCookie;
  }
  return { servers, cookies };
}

/** Each cookie's request again: the servers, and how many responses set a cookie. */
function returning(s: ReturnType<typeof create>, cookies: Float64Array, now: number): { servers: Int32Array; rewritten: number } {
  const servers = new Int32Array(cookies.length);
  let rewritten = 0;
  cookies.forEach((cookie, i) => {
    const r = request({ now, cookie });
    servers[i] = s.pick(r);
    if (r.setCookie >= 0) rewritten++;
  });
  return { servers, rewritten };
}

describe("resty.chash ring (lua-resty-balancer lib/resty/chash.lua, chash.c)", () => {
  it("places 160 points per node exactly where the library's C code does, and sends 1,000 keys to the same nodes", () => {
    for (const { nodes, firstPoints, owners } of vectors.cases) {
      const ring = ringOver(nodes);
      // A point's hash belongs to its own node; one more belongs to the next point's.
      firstPoints.forEach(([hash, node], k) => {
        expect(ring.find(hash), `${nodes.length} nodes, point ${k}`).toBe(node);
        if (k + 1 < firstPoints.length) expect(ring.find(hash + 1)).toBe(firstPoints[k + 1][1]);
      });
      expect(ring.find(0)).toBe(firstPoints[0][1]);
      expect(ring.find(0xffffffff)).toBe(firstPoints[0][1]); // past the last point: wraps to point 0
      // Keys hashed with zlib's CRC-32, independently of lbsim's.
      const got = Array.from({ length: owners.length }, (_, k) => ring.find(zlibCrc32(vectorKey(k))).toString(36)).join("");
      expect(got, `${nodes.length} nodes`).toBe(owners);
    }
  });

  it("gives the same ring whatever order the nodes are inserted in (no two nodes share a point here)", () => {
    const { nodes, owners } = vectors.cases[3];
    const reversed = ringOver(nodes, nodes.map((_, i) => nodes.length - 1 - i));
    expect(Array.from({ length: 1000 }, (_, k) => reversed.find(zlibCrc32(vectorKey(k))).toString(36)).join("")).toBe(owners);
  });

  it("finds nothing in an empty ring", () => {
    expect(ringOver([]).find(12345)).toBe(-1);
  });
});

describe("ingress-nginx-affinity (ingress-nginx cookie affinity)", () => {
  it("defaults to balanced mode, no change on failure and a browser-session cookie", () => {
    expect(ingressNginxAffinity.options.parse({})).toEqual({ mode: "balanced", changeOnFailure: false });
    expect(() => ingressNginxAffinity.options.parse({ mode: "sticky" })).toThrow();
    expect(() => ingressNginxAffinity.options.parse({ maxAge: 0 })).toThrow();
    expect(() => ingressNginxAffinity.options.parse({ expires: 1.5 })).toThrow();
  });

  it("writes keys as sticky_balanced formats them: Lua's %.14g of ngx.now() + attempt, the worker pid, math.random(999999)", () => {
    const text = (now: number, attempt: number, random: number) => {
      const out = new Uint8Array(32);
      return new TextDecoder().decode(out.subarray(0, writeStickyKey(now, attempt, random, out)));
    };
    expect(text(0, 1, 500_000)).toBe("1700000001.31.500000");
    expect(text(12.25, 3, 999_999)).toBe("1700000015.25.31.999999");
    expect(text(3.1, 1, 1)).toBe("1700000004.1.31.1");
    expect(text(2.125, 20, 42)).toBe("1700000022.125.31.42");
    expect(text(7.0009, 1, 7)).toBe("1700000008.31.7"); // below ngx.now()'s millisecond
  });

  describe("balanced", () => {
    // Pool addresses 127.0.1.1..3:8080. Owners of these keys from the library's C code (find.c):
    // "1700000001.31.500000" -> node 2 of 3, node 4 of 4, 127.0.1.3 of {127.0.1.1, 127.0.1.3};
    // "1700000001.31.750000", "1700000002.31.750000" -> node 1 of 3, "1700000003.31.750000" -> node 2;
    // "1700000002.31.500000" -> node 1 of 3.
    it("routes a new session by a fresh key's place on the ring and sets the cookie once", () => {
      const random = scripted([0.5]); // math.random(999999) = 1 + floor(0.5 * 999999) = 500000
      const s = create(pool(3), random);
      const first = request({ now: 0 });
      expect(s.pick(first)).toBe(1);
      expect(first.setCookie).toBe(keyCookie("1700000001.31.500000")); // the key, as the ring reads it
      expect(first.setCookieTtl).toBe(Infinity);
      for (const now of [1, 60, 3600]) {
        const again = request({ now, cookie: first.setCookie });
        expect(s.pick(again)).toBe(1);
        expect(again.setCookie).toBe(-1); // written only when a new upstream is picked
      }
      expect(random.calls()).toBe(1);
    });

    it("after a scale-out the same cookie goes to the key's new owner, with no new cookie", () => {
      const { p, grow } = growable(3, 4);
      const s = create(p, scripted([0.5]));
      const first = request({ now: 0 });
      expect(s.pick(first)).toBe(1);
      grow(4);
      s.poolChanged?.("size");
      const again = request({ now: 5, cookie: first.setCookie });
      expect(s.pick(again)).toBe(3);
      expect(again.setCookie).toBe(-1);
    });

    it("when the key's pod leaves, the key goes to its ring successor, the cookie unchanged, and back when it returns", () => {
      const p = pool(3);
      const s = create(p, scripted([0.5]));
      const first = request({ now: 0 });
      expect(s.pick(first)).toBe(1);
      p.accepting[1] = 0; // not ready: dropped from the endpoints at once, even while eligible
      s.poolChanged?.("health");
      const moved = request({ now: 5, cookie: first.setCookie });
      expect(s.pick(moved)).toBe(2);
      expect(moved.setCookie).toBe(-1);
      p.accepting[1] = 1;
      s.poolChanged?.("health");
      expect(s.pick(request({ now: 9, cookie: first.setCookie }))).toBe(1);
    });

    it("draws new keys until one's owner is not the failed upstream", () => {
      const random = scripted([0.75]); // keys "17000000{01,02,03}.31.750000": nodes 1, 1, 2
      const s = create(pool(3), random);
      const retry = request({ now: 0, excluded: 0 });
      expect(s.pick(retry)).toBe(1);
      expect(random.calls()).toBe(3);
      expect(retry.setCookie).toBe(keyCookie("1700000003.31.750000"));
      // 20 keys all on the only, failed, pod: no upstream.
      const single = create(pool(1), stream(1, "x"));
      expect(single.pick(request({ excluded: 0 }))).toBe(-1);
    });

    it("retries a bound upstream that failed as bound, unless changeOnFailure", () => {
      for (const changeOnFailure of [false, true]) {
        const random = scripted([0.5]);
        const s = create(pool(3), random, { changeOnFailure });
        const first = request({ now: 0 });
        expect(s.pick(first)).toBe(1);
        const retry = request({ now: 0, cookie: first.setCookie, excluded: 1 });
        if (!changeOnFailure) {
          expect(s.pick(retry)).toBe(1);
          expect(retry.setCookie).toBe(-1);
          expect(random.calls()).toBe(1);
        } else {
          expect(s.pick(retry)).toBe(0); // "1700000001.31.500000" lands on node 2 again, "1700000002.31.500000" on node 1
          expect(retry.setCookie).toBe(keyCookie("1700000002.31.500000")); // a new key and cookie
          expect(random.calls()).toBe(3);
        }
      }
      // With changeOnFailure any failed attempt means a new pick (sticky.lua tests only that there
      // was one), here landing on the bound pod again, with a new cookie.
      const s = create(pool(3), scripted([0.5]), { changeOnFailure: true });
      const first = request({ now: 0 });
      s.pick(first);
      const retry = request({ now: 0, cookie: first.setCookie, excluded: 2 });
      expect(s.pick(retry)).toBe(1);
      // Set again: the first fresh key has the same text, the clock not having moved.
      expect(retry.setCookie).toBe(first.setCookie);
    });

    it("scale-out from c to n pods moves about (n - c)/n of the sessions, all to the new pods, rewriting no cookie", () => {
      const { p, grow } = growable(8, 10, Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}:8080`));
      const s = create(p, stream(2, "x"));
      const n = 20_000;
      const { servers, cookies } = firstRequests(s, n);
      grow(10);
      s.poolChanged?.("size");
      const after = returning(s, cookies, 100);
      let moved = 0;
      for (let i = 0; i < n; i++) {
        if (after.servers[i] === servers[i]) continue;
        moved++;
        expect(after.servers[i]).toBeGreaterThanOrEqual(8); // consistent hashing: only onto the new pods
      }
      // (10 - 8)/10 = 0.2. The two new pods' ring share has SD about 2^0.5 / (10 * 160^0.5) = 0.011
      // (160 points each), the sample adds 0.003; 0.04 is over 3 SD.
      expect(Math.abs(moved / n - 0.2)).toBeLessThan(0.04);
      expect(after.rewritten).toBe(0);
    });

    it("removing a pod moves only its sessions, spread over the others, without rewriting their cookies", () => {
      const p = pool(4);
      const s = create(p, stream(3, "x"));
      const { servers, cookies } = firstRequests(s, 8000);
      p.eligible[2] = p.accepting[2] = 0;
      s.poolChanged?.("health");
      const after = returning(s, cookies, 100);
      const landed = [0, 0, 0, 0];
      servers.forEach((server, i) => {
        if (server !== 2) expect(after.servers[i]).toBe(server);
        else landed[after.servers[i]]++;
      });
      expect(landed[2]).toBe(0);
      for (const other of [0, 1, 3]) expect(landed[other]).toBeGreaterThan(0);
      expect(after.rewritten).toBe(0);
    });

    it("remembers no key for a client that keeps no cookies", () => {
      const s = create(pool(3), scripted([0.5]));
      const r = request({ now: 0, cookiesEnabled: 0 });
      expect(s.pick(r)).toBe(1);
      expect(r.setCookie).toBe(-1);
      const next = request({ now: 0 });
      s.pick(next);
      expect(next.setCookie).toBe(keyCookie("1700000001.31.500000"));
    });
  });

  describe("persistent", () => {
    it("names the pod in the cookie and keeps it there, load or not", () => {
      const p = pool(3);
      const random = scripted([0.5]); // math.random(1, 3) = 1 + floor(0.5 * 3): the second endpoint
      const s = create(p, random, { mode: "persistent" });
      const first = request({ now: 0 });
      expect(s.pick(first)).toBe(1);
      expect(first.setCookie).toBe(1);
      p.active[1] = 100;
      const again = request({ now: 10, cookie: 1 });
      expect(s.pick(again)).toBe(1);
      expect(again.setCookie).toBe(-1);
      expect(random.calls()).toBe(1);
    });

    it("gives new sessions a uniformly random pod, ignoring load and weights", () => {
      const p = pool(3, { weights: [1, 1, 8] });
      p.active[0] = 50;
      const s = create(p, stream(4, "x"), { mode: "persistent" });
      const n = 30_000;
      const counts = [0, 0, 0];
      for (const server of firstRequests(s, n).servers) counts[server]++;
      // SD of a share: (2/9 / 30000)^0.5 = 0.0027; 0.012 is over 4 SD.
      for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.012);
    });

    it("moves nobody on scale-out", () => {
      const { p, grow } = growable(4, 6);
      const s = create(p, stream(5, "x"), { mode: "persistent" });
      const { servers, cookies } = firstRequests(s, 5000);
      grow(6);
      s.poolChanged?.("size");
      const after = returning(s, cookies, 100);
      expect(Array.from(after.servers)).toEqual(Array.from(servers));
      expect(after.rewritten).toBe(0);
    });

    it("sends a removed pod's sessions to random pods with new cookies naming them", () => {
      const p = pool(4);
      const s = create(p, stream(6, "x"), { mode: "persistent" });
      const { servers, cookies } = firstRequests(s, 12_000);
      p.accepting[1] = 0;
      s.poolChanged?.("health");
      const landed = [0, 0, 0, 0];
      let movedCount = 0;
      servers.forEach((server, i) => {
        const r = request({ now: 100, cookie: cookies[i] });
        const now = s.pick(r);
        if (server !== 1) {
          expect(now).toBe(server);
          expect(r.setCookie).toBe(-1);
        } else {
          expect(r.setCookie).toBe(now);
          landed[now]++;
          movedCount++;
        }
      });
      expect(landed[1]).toBe(0);
      // About 3,000 moved; each other pod's share has SD (2/9 / 3000)^0.5 = 0.0086; 0.04 is over 4 SD.
      for (const other of [0, 2, 3]) expect(Math.abs(landed[other] / movedCount - 1 / 3)).toBeLessThan(0.04);
    });

    it("avoids the failed pod on a new pick, and keeps a bound one unless changeOnFailure", () => {
      const s = create(pool(3), scripted([0.5]), { mode: "persistent" });
      expect(s.pick(request({ excluded: 1 }))).toBe(2); // 1 + floor(0.5 * 2) of the two others: the second
      expect(s.pick(request({ cookie: 1, excluded: 1 }))).toBe(1);
      const changing = create(pool(3), scripted([0.0]), { mode: "persistent", changeOnFailure: true });
      const retry = request({ cookie: 1, excluded: 1 });
      expect(changing.pick(retry)).toBe(0);
      expect(retry.setCookie).toBe(0);
      expect(create(pool(1), scripted([0.5]), { mode: "persistent" }).pick(request({ excluded: 0 }))).toBe(-1);
    });

    it("treats servers sharing an address as one endpoint", () => {
      const p = pool(3, { addresses: ["10.1.0.1:80", "10.1.0.2:80", "10.1.0.1:80"] });
      const s = create(p, scripted([0.99]), { mode: "persistent" });
      expect(s.pick(request())).toBe(1); // two endpoints: 1 + floor(0.99 * 2) = the second
      expect(s.pick(request({ cookie: 2 }))).toBe(0); // the cookie names 10.1.0.1:80, the first server with it
      p.accepting[0] = 0;
      s.poolChanged?.("health");
      expect(s.pick(request({ cookie: 0 }))).toBe(2); // that address is still an endpoint
    });
  });

  it("gives the cookie a lifetime from its assignment: Max-Age, else Expires at the issuing whole second plus N", () => {
    const lifetime = (options: Record<string, unknown>, now: number) => {
      const r = request({ now });
      create(pool(3), scripted([0.5]), options).pick(r);
      return r.setCookieTtl;
    };
    for (const mode of ["balanced", "persistent"]) {
      expect(lifetime({ mode }, 10.75)).toBe(Infinity);
      expect(lifetime({ mode, maxAge: 3600 }, 10.75)).toBe(3600);
      expect(lifetime({ mode, expires: 3600 }, 10.75)).toBe(3599.25); // ngx.time() + 3600 = 3610
      expect(lifetime({ mode, expires: 60, maxAge: 3600 }, 10.75)).toBe(3600);
    }
  });

  it("in a run, a bound pod that crashed is retried as bound and the request fails; with changeOnFailure it goes elsewhere", () => {
    // One user, a request a second, service 0; a crash at 5.5 s that health checks (every 10 s,
    // fall 3) notice at 30 s (s1) or 35 s (s2). Only the crash of the user's pod matters.
    const run = (options: Record<string, unknown>, crashed: string) => {
      const s = scenario({
        duration: "1m",
        replications: 1,
        clients: { count: 1, visitsPerSecond: 1000, requestsPerVisit: 40, think: "1s" },
        servers: { count: 2, workers: 1, service: "0s" },
        balancer: { healthCheck: { interval: "10s", fall: 3 } },
        strategies: [{ id: "ingress-nginx-affinity", ...options }],
        events: [{ at: "5.5s", crash: crashed }],
      });
      return simulate(s, s.strategies[0], 0).metrics;
    };
    const bound = ["s1", "s2"].find((server) => run({}, server).failedRequests > 0) as string;
    expect(bound).toBeDefined();
    // From t0 + 6 each request is refused, retried on the same pod, and fails at the last retry
    // (t0 + 8, no wait after it); the next comes 1 s later: every 3 s until the pod is out.
    const out = bound === "s1" ? 30 : 35;
    const m = run({}, bound);
    expect(m.failedRequests).toBe(Math.ceil((out - 6) / 3));
    expect(m.lostByCause.serverCrash).toBe(1);
    const changing = run({ changeOnFailure: true }, bound);
    expect(changing.failedRequests).toBe(0);
    expect(changing.lostByCause.serverCrash).toBe(1);
    expect(changing.latencyMs.p99).toBeCloseTo(2000, 6); // the redispatched retry at t0 + 8
  });
});
