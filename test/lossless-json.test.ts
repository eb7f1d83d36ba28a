import { describe, expect, it } from "vitest";
import { fromLosslessJson, toLosslessJson } from "../sim/lossless-json.js";

describe("lossless JSON", () => {
  it("gives back what JSON.stringify loses: NaN, ±Infinity, -0 and undefined properties", () => {
    const value = { a: NaN, b: Infinity, c: -Infinity, d: -0, e: undefined, f: [1, undefined, -0, NaN], g: { h: 0.1 + 0.2, i: 5e-324, j: Number.MAX_VALUE } };
    const back = fromLosslessJson(toLosslessJson(value)) as typeof value;
    expect(back).toStrictEqual(value);
    expect(Object.is(back.d, -0)).toBe(true);
    expect(Object.is(back.f[2], -0)).toBe(true);
    expect(Object.keys(back)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect("e" in back).toBe(true);
    // Plain JSON would have said null, null, null, 0 and dropped e.
    expect(JSON.parse(JSON.stringify(value))).not.toStrictEqual(value);
  });

  it("keeps strings that look like its markers, and key order", () => {
    const value = { z: "\u0000NaN", y: "\u0000\u0000x", x: "plain", w: "" };
    const text = toLosslessJson(value);
    expect(fromLosslessJson(text)).toStrictEqual(value);
    expect(Object.keys(fromLosslessJson(text) as object)).toEqual(["z", "y", "x", "w"]);
  });

  it("keeps a __proto__ key an own property rather than a prototype", () => {
    const back = fromLosslessJson('{"__proto__":{"polluted":true},"n":"\\u0000NaN"}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Number.isNaN(back.n)).toBe(true);
  });

  it("refuses a marker it does not know and text that is not JSON", () => {
    expect(() => fromLosslessJson('"\\u0000bogus"')).toThrow(SyntaxError);
    expect(() => fromLosslessJson("{")).toThrow(SyntaxError);
  });
});
