import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PoolView } from "../../sim/strategies/define.js";
import { HaproxyMap } from "../../sim/strategies/haproxy-map.js";
import { pool } from "../helpers.js";

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** src/lb_map.c `recalc_server_map` as written: every slot walks every server. The oracle. */
function quadraticMap(p: PoolView) {
  const g = Array.from(p.weights).reduce((a, w) => (w > 0 ? gcd(a, w) : a), 0);
  const eff = Array.from(p.weights, (w) => (w > 0 ? Math.ceil(w / g) : 0));
  const usable = eff.map((e, i) => p.eligible[i] !== 0 && e > 0);
  const total = eff.reduce((t, e, i) => (usable[i] ? t + e : t), 0);
  const score = new Array<number>(p.size).fill(0);
  const slots: number[] = [];
  for (let o = 0; o < total; o++) {
    let best = -1, max = 0;
    for (let i = 0; i < p.size; i++) {
      if (!usable[i]) continue;
      if (total === 1) {
        best = i;
        break;
      }
      score[i] += eff[i];
      const v = Math.trunc((score[i] + total) / total);
      if (best < 0 || v > max) {
        max = v;
        best = i;
      }
    }
    slots.push(best);
    score[best] -= total;
  }
  return { slots, total, used: usable.filter(Boolean).length };
}

const built = (m: HaproxyMap) => ({ slots: Array.from(m.slots.subarray(0, m.total)), total: m.total, used: m.used });
const downOf = (up: boolean[]) => up.flatMap((u, i) => (u ? [] : [i]));

describe("HaproxyMap builds recalc_server_map's table without its quadratic walk", () => {
  it.each([
    ["all weight 1", [1, 1, 1, 1, 1], []],
    ["weights 3-1-1", [3, 1, 1], []],
    ["one server", [7], []],
    ["one usable server of several", [4, 6, 2], [0, 1]],
    ["a single slot", [1, 2, 2], [1, 2]],
    ["all down", [1, 2, 3], [0, 1, 2]],
    ["GCD 2,2", [2, 2], []],
    ["GCD 4,6", [4, 6], []],
    ["GCD over a down server", [2, 4, 3], [2]],
    ["weight zero", [0, 5, 0, 3], []],
    ["only weight zero", [0, 0], []],
    ["ties everywhere", [256, 256, 128, 128, 64, 1, 1, 1], [4]],
  ])("%s", (_, weights, down) => {
    const p = pool(weights.length, { weights, down });
    expect(built(new HaproxyMap(p))).toEqual(quadraticMap(p));
  });

  it("matches the quadratic walk on random pools, also when rebuilt after a health change", () => {
    const server = (max: number) => fc.record({ weight: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max })), up: fc.boolean() });
    const pools = fc
      .constantFrom(1, 2, 3, 4, 6)
      .chain((scale) => fc.tuple(fc.array(server(Math.floor(256 / scale)), { minLength: 1, maxLength: 60 }), fc.constant(scale)))
      .chain(([servers, scale]) => fc.tuple(fc.constant(servers.map((s) => ({ ...s, weight: s.weight * scale }))), fc.array(fc.boolean(), { minLength: servers.length, maxLength: servers.length })));
    fc.assert(
      fc.property(pools, ([servers, upLater]) => {
        const p = pool(servers.length, { weights: servers.map((s) => s.weight), down: downOf(servers.map((s) => s.up)) });
        const map = new HaproxyMap(p);
        expect(built(map)).toEqual(quadraticMap(p));
        upLater.forEach((u, i) => (p.eligible[i] = p.accepting[i] = u ? 1 : 0));
        map.rebuild();
        expect(built(map)).toEqual(quadraticMap(p));
      }),
      { numRuns: 1000 },
    );
  });

  it("matches the quadratic walk on 400 servers of weights 1..256", () => {
    const weights = Array.from({ length: 400 }, (_, i) => ((i * 2654435761) % 256) + 1);
    const p = pool(weights.length, { weights, down: [3, 17, 200] });
    const map = built(new HaproxyMap(p)), oracle = quadraticMap(p);
    // The first differing slot, not a diff of two 50,000-entry arrays.
    expect(map.slots.findIndex((s, o) => s !== oracle.slots[o])).toBe(-1);
    expect(map).toEqual(oracle);
  });

  it.each([
    ["100,000 servers of weight 1", Array<number>(100_000).fill(1)],
    ["20,000 servers of weights 1..256", Array.from({ length: 20_000 }, (_, i) => ((i * 2654435761) % 256) + 1)],
  ])("builds %s, each usable server in as many slots as its effective weight", (_, weights) => {
    const down = Array.from({ length: weights.length / 1000 }, (_, k) => k * 997);
    const p = pool(weights.length, { weights, down });
    const map = new HaproxyMap(p);
    const g = weights.reduce(gcd);
    const expected = weights.map((w, i) => (p.eligible[i] ? w / g : 0));
    const counts = new Array<number>(weights.length).fill(0);
    for (let o = 0; o < map.total; o++) counts[map.slots[o]]++;
    expect(map.total).toBe(expected.reduce((a, b) => a + b, 0));
    expect(map.used).toBe(weights.length - down.length);
    expect(counts).toEqual(expected);
  });
});
