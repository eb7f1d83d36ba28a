import { describe, expect, it } from "vitest";
import { fastLog2, rendezvous, rendezvousScore } from "../../sim/strategies/rendezvous.js";
import { pool, request } from "../helpers.js";

const M64 = (1n << 64n) - 1n;
const halves = (x: bigint): [number, number] => [Number(x >> 32n), Number(x & 0xffffffffn)];

/** Envoy's xorshift* and 53-bit normalisation, written with BigInt. */
function referenceU(key: bigint, hostHash: bigint): number {
  let x = key ^ hostHash;
  x ^= x >> 12n;
  x = (x ^ (x << 25n)) & M64;
  x ^= x >> 27n;
  x = (x * 2685821657736338717n) & M64;
  return Number(x & ((1n << 53n) - 1n)) / 2 ** 53;
}

/** Each session id 1..count routed by a fresh strategy on this pool. */
function route(p: ReturnType<typeof pool>, count: number): Int32Array {
  const strategy = rendezvous.create(p, Math.random, rendezvous.options.parse({}));
  const r = request();
  return Int32Array.from({ length: count }, (_, k) => {
    r.sessionKey = k + 1;
    return strategy.pick(r);
  });
}

describe("rendezvous", () => {
  it("uses Envoy's fast log2: within 1 % of log2 and exact on powers of two (rendezvous_hash_lb_test.cc)", () => {
    for (const x of [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.5, 2, 3, 5, 10, 100, 1e6, 1e10, 1e-6, 1e-10]) {
      expect(Math.abs((fastLog2(x) - Math.log2(x)) / Math.log2(x)), String(x)).toBeLessThan(0.01);
    }
    for (let e = -10; e <= 10; e++) expect(fastLog2(2 ** e)).toBe(e);
    expect(fastLog2(0)).toBe(-1023); // u = 0 has all bits clear: exponent 0 − 1023, as in Envoy
  });

  it("scores −w / ln(u) with u from xorshift*(key XOR host hash), bit for bit", () => {
    const keys = [0n, 1n, 12345n, 0xdeadbeefcafebaben, M64, 0x123456789abcdef0n];
    const hosts = [1n, 12345n, 0xdeadbeefn, 0xfedcba9876543210n];
    for (const key of keys) {
      for (const host of hosts) {
        for (const weight of [0.5, 1, 2, 10]) {
          const score = rendezvousScore(...halves(key), ...halves(host), weight);
          expect(score).toBe(-weight / (fastLog2(referenceU(key, host)) * 0.6931471805599453));
          expect(Number.isFinite(score) && score > 0).toBe(true);
        }
      }
    }
  });

  it("gives each server a share in proportion to its weight (−w/ln(u) wins with probability w/Σw)", () => {
    const chosen = route(pool(3, { weights: [1, 2, 3] }), 60_000);
    const share = [0, 1, 2].map((s) => chosen.filter((c) => c === s).length / chosen.length);
    // Binomial sampling σ ≤ 0.002 plus the fast log's small bias; 0.01 is 5σ.
    expect(Math.abs(share[0] - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share[1] - 2 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share[2] - 3 / 6)).toBeLessThan(0.01);
  });

  it("moves only a down server's keys, spread evenly over the others, and brings them back", () => {
    const p = pool(8);
    const before = route(p, 16_000);
    p.eligible[5] = p.accepting[5] = 0;
    const down = route(p, 16_000);
    const received = new Array<number>(8).fill(0);
    const others: number[] = [];
    for (let k = 0; k < before.length; k++) {
      if (before[k] === 5) received[down[k]]++;
      else if (down[k] !== before[k]) others.push(k);
    }
    expect(others).toEqual([]);
    expect(received[5]).toBe(0);
    // ~2000 displaced keys over 7 servers: ~286 each, σ ≈ 16.
    const displaced = received.reduce((a, b) => a + b);
    for (let s = 0; s < 8; s++) if (s !== 5) expect(Math.abs(received[s] - displaced / 7)).toBeLessThan(90);
    p.eligible[5] = p.accepting[5] = 1;
    expect(route(p, 16_000)).toEqual(before);
  });

  it("depends on server addresses, not on their order in the configuration", () => {
    const addresses = ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"];
    const reversed = [...addresses].reverse();
    const a = route(pool(4, { addresses }), 3000), b = route(pool(4, { addresses: reversed }), 3000);
    const mismatched = Array.from(a).filter((s, k) => addresses[s] !== reversed[b[k]]).length;
    expect(mismatched).toBe(0);
  });

  it("answers -1 when no server is eligible", () => {
    expect(route(pool(3, { down: [0, 1, 2] }), 3)).toEqual(Int32Array.from([-1, -1, -1]));
  });
});
