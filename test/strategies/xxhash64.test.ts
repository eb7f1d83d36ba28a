import { describe, expect, it } from "vitest";
import { KeyHasher } from "../../sim/strategies/key-hash.js";
import { add64, mod64, mul64, wide } from "../../sim/strategies/u64.js";
import { xxh64, xxh64String } from "../../sim/strategies/xxhash64.js";
import { request } from "../helpers.js";

const M64 = (1n << 64n) - 1n;
const big = (w: { hi: number; lo: number }) => (BigInt(w.hi) << 32n) | BigInt(w.lo);
const halves = (x: bigint): [number, number] => [Number((x >> 32n) & 0xffffffffn), Number(x & 0xffffffffn)];

/** XXH64 written straight from the specification with BigInt, to check the two-halves version. */
function referenceXxh64(bytes: Uint8Array, seed: bigint): bigint {
  const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n, P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M64;
  const lane = (p: number, n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
    return v;
  };
  const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & M64, 31n) * P1) & M64;
  const merge = (acc: bigint, val: bigint) => (((acc ^ round(0n, val)) * P1 + P4) & M64);
  let p = 0, h: bigint;
  if (bytes.length >= 32) {
    let v1 = (seed + P1 + P2) & M64, v2 = (seed + P2) & M64, v3 = seed, v4 = (seed - P1) & M64;
    for (; p + 32 <= bytes.length; p += 32) {
      v1 = round(v1, lane(p, 8));
      v2 = round(v2, lane(p + 8, 8));
      v3 = round(v3, lane(p + 16, 8));
      v4 = round(v4, lane(p + 24, 8));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & M64;
  }
  h = (h + BigInt(bytes.length)) & M64;
  for (; p + 8 <= bytes.length; p += 8) h = (rotl(h ^ round(0n, lane(p, 8)), 27n) * P1 + P4) & M64;
  if (p + 4 <= bytes.length) {
    h = (rotl(h ^ ((lane(p, 4) * P1) & M64), 23n) * P2 + P3) & M64;
    p += 4;
  }
  for (; p < bytes.length; p++) h = (rotl(h ^ ((BigInt(bytes[p]) * P5) & M64), 11n) * P1) & M64;
  h = ((h ^ (h >> 33n)) * P2) & M64;
  h = ((h ^ (h >> 29n)) * P3) & M64;
  return h ^ (h >> 32n);
}

/** A small deterministic byte generator (LCG), so the cross-check covers the same inputs every run. */
function bytesFrom(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  return Uint8Array.from({ length }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
}

describe("u64: 64-bit arithmetic on 32-bit halves", () => {
  it("multiplies, adds and reduces exactly, against BigInt", () => {
    const out = wide();
    for (let i = 0; i < 2000; i++) {
      const a = BigInt.asUintN(64, BigInt(`0x${Array.from(bytesFrom(i, 8), (b) => b.toString(16).padStart(2, "0")).join("")}`));
      const b = BigInt.asUintN(64, BigInt(`0x${Array.from(bytesFrom(i + 7919, 8), (x) => x.toString(16).padStart(2, "0")).join("")}`));
      const [ah, al] = halves(a), [bh, bl] = halves(b);
      mul64(out, ah, al, bh, bl);
      expect(big(out)).toBe((a * b) & M64);
      add64(out, ah, al, bh, bl);
      expect(big(out)).toBe((a + b) & M64);
      expect(mod64(ah, al, 65537)).toBe(Number(a % 65537n));
      expect(mod64(ah, al, 5_000_011)).toBe(Number(a % 5_000_011n));
    }
  });
});

describe("xxHash64", () => {
  const hex = (text: string, seed = 0) => {
    const out = wide();
    xxh64String(text, seed, out);
    return big(out).toString(16).padStart(16, "0");
  };

  it("matches the published XXH64 vectors (seed 0)", () => {
    expect(hex("")).toBe("ef46db3751d8e999");
    expect(hex("a")).toBe("d24ec4f1a98c6e5b");
    expect(hex("abc")).toBe("44bc2cf5ad770999");
    expect(hex("Nobody inspects the spammish repetition")).toBe("fbcea83c8a378bf1"); // ≥ 32 bytes: the four-lane path
  });

  it("matches Envoy's ring positions, which are xxHash64 of `host:port_i` (ring_hash_lb_test.cc, Basic)", () => {
    const position = (text: string) => {
      const out = wide();
      xxh64String(text, 0, out);
      return big(out);
    };
    expect(position("127.0.0.1:90_0")).toBe(16117243373044804889n);
    expect(position("127.0.0.1:90_1")).toBe(1033482794131418490n);
    expect(position("127.0.0.1:94_1")).toBe(833437586790550860n);
    expect(position("127.0.0.1:95_0")).toBe(3551244743356806947n);
    // The same test with hostnames as host keys (BasicWithHostname): host "95" owns these two.
    expect([position("95_0"), position("95_1")].sort((a, b) => (a < b ? -1 : 1))).toEqual([1975508444536362413n, 2376063919839173711n]);
  });

  it("agrees with a BigInt reference for every length 0..100 and seeds 0, 1 and 2^32 − 1", () => {
    const out = wide();
    for (let length = 0; length <= 100; length++) {
      for (const seed of [0, 1, 0xffffffff]) {
        const bytes = bytesFrom(length * 31 + seed, length + 3);
        xxh64(bytes, 3, bytes.length, seed, out); // an offset start, as callers hash part of a buffer
        expect(big(out), `length ${length} seed ${seed}`).toBe(referenceXxh64(bytes.subarray(3), BigInt(seed)));
      }
    }
  });
});

describe("KeyHasher", () => {
  const hashOf = (hasher: KeyHasher, fields: Parameters<typeof request>[0]) => {
    const out = wide();
    hasher.hash(request(fields), out);
    return big(out);
  };
  const textHash = (text: string) => {
    const out = wide();
    xxh64String(text, 0, out);
    return big(out);
  };

  it("hashes the session id's decimal text, and the dotted address before there is a session", () => {
    const session = new KeyHasher("session");
    expect(hashOf(session, { sessionKey: 42, address: 0x0a000001 })).toBe(textHash("42"));
    expect(hashOf(session, { sessionKey: -1, address: 0x0a000001 })).toBe(textHash("10.0.0.1"));
  });

  it("hashes the address whatever the session with key: address, and keyText when `lbsim route` gives one", () => {
    const address = new KeyHasher("address");
    expect(hashOf(address, { sessionKey: 42, address: 0xc0a80105 })).toBe(textHash("192.168.1.5"));
    const long = "s".repeat(300); // longer than the hasher's first buffer
    expect(hashOf(new KeyHasher("session"), { keyText: long })).toBe(textHash(long));
  });
});
