import { describe, expect, it } from "vitest";
import { reconnectPolicy } from "../../sim/model/reconnect-policy.js";
import { reconnect } from "../../sim/scenario/websocket-schema.js";

const policy = (spec: unknown) => reconnectPolicy(reconnect.parse(spec));
/** A fine grid of uniforms over [0, 1), to see a delay's whole range and its mean. */
const GRID = Array.from({ length: 100_000 }, (_, i) => (i + 0.5) / 100_000);

describe("reconnect delays", () => {
  it("socket.io: backo2's ranges and means for the first attempts, then the 5 s cap", () => {
    const p = policy("socket.io");
    // socket.io-client 4 defaults (reconnectionDelay 1000, max 5000, randomizationFactor 0.5): attempt k ranges and means.
    const expected = [
      { min: 0.551, max: 1.499, mean: 1.025 },
      { min: 1.101, max: 2.999, mean: 2.05 },
      { min: 2.201, max: 5, mean: 3.95 },
      { min: 4.401, max: 5, mean: 4.96 },
    ];
    expected.forEach((e, k) => {
      const delays = GRID.map((u) => p.delay(k, u, 0));
      expect(Math.min(...delays)).toBeCloseTo(e.min, 2);
      expect(Math.max(...delays)).toBeCloseTo(e.max, 2);
      expect(delays.reduce((a, b) => a + b, 0) / delays.length).toBeCloseTo(e.mean, 2);
    });
    expect(new Set(GRID.map((u) => p.delay(6, u, 0)))).toEqual(new Set([5]));
    // Never gives up (reconnectionAttempts Infinity).
    expect(p.delay(10_000, 0.3, 0)).toBeGreaterThanOrEqual(0);
  });

  it("socket.io: past 2^1023 the delay overflows to 0 ms, as backo2's int32 truncation of NaN does", () => {
    const p = policy("socket.io");
    expect(p.delay(1015, 0.05, 0)).toBe(0); // an even decile: Infinity - Infinity
    expect(p.delay(1015, 0.15, 0)).toBe(5); // an odd one: min(Infinity, 5000)
  });

  it("signalr: 0, 2, 10 and 30 s, then it gives up", () => {
    const p = policy("signalr");
    expect([0, 1, 2, 3, 4].map((k) => p.delay(k, 0.5, 0))).toEqual([0, 2, 10, 30, -1]);
  });

  it("phoenix: its list of tries without jitter, then every 5 s", () => {
    const p = policy("phoenix");
    const ms = [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000];
    expect(ms.map((_, k) => Math.round(p.delay(k, Math.random(), 0) * 1000))).toEqual(ms);
  });

  it("exponential: full, equal and no jitter over min(max, initial × factor^k); attempts give up", () => {
    const full = policy({ initial: "1s", max: "30s", jitter: "full", attempts: 3 });
    const equal = policy({ initial: "1s", max: "30s", jitter: "equal" });
    const none = policy({ initial: "1s", max: "30s", jitter: "none", factor: 3 });
    expect(GRID.every((u) => full.delay(2, u, 0) >= 0 && full.delay(2, u, 0) < 4)).toBe(true);
    expect(GRID.reduce((a, u) => a + full.delay(2, u, 0), 0) / GRID.length).toBeCloseTo(2, 2);
    expect(full.delay(3, 0.5, 0)).toBe(-1);
    expect(GRID.every((u) => equal.delay(3, u, 0) >= 4 && equal.delay(3, u, 0) < 8)).toBe(true);
    expect(equal.delay(9, 0.999, 0)).toBeLessThan(30);
    expect([0, 1, 2, 3, 4].map((k) => none.delay(k, 0.5, 0))).toEqual([1, 3, 9, 27, 30]);
  });

  it("decorrelated: uniform on [initial, 3 × previous), capped, starting from the initial delay", () => {
    const p = policy({ initial: "1s", max: "10s", jitter: "decorrelated" });
    expect(GRID.every((u) => p.delay(0, u, 0) >= 1 && p.delay(0, u, 0) < 3)).toBe(true);
    expect(GRID.every((u) => p.delay(4, u, 2) >= 1 && p.delay(4, u, 2) < 6)).toBe(true);
    expect(p.delay(4, 0.99, 8)).toBe(10);
  });

  it("refuses a max below the initial delay", () => {
    const parsed = reconnect.safeParse({ initial: "10s", max: "5s" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(["max"]);
    expect(parsed.error?.issues[0].message).toMatch(/max .* below initial/);
  });
});
