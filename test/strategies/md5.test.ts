import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { md5Head } from "../../sim/strategies/md5.js";
import { stream } from "../../sim/engine/random.js";

/** What the seed's JavaScript computes: parseInt(md5 hex digest's first 8 digits, 16). */
const reference = (bytes: Uint8Array) => parseInt(createHash("md5").update(bytes).digest("hex").substring(0, 8), 16);
const ascii = (text: string) => new TextEncoder().encode(text);

describe("md5Head", () => {
  it("gives RFC 1321's test-suite digests' first 8 hex digits", () => {
    expect(md5Head(ascii(""), 0)).toBe(0xd41d8cd9);
    expect(md5Head(ascii("a"), 1)).toBe(0x0cc175b9);
    expect(md5Head(ascii("abc"), 3)).toBe(0x90015098);
    expect(md5Head(ascii("message digest"), 14)).toBe(0xf96b697d);
    const long = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
    expect(md5Head(ascii(long), long.length)).toBe(0x57edf4a2);
  });

  it("matches node:crypto on random inputs of every length up to three blocks, padding boundaries included", () => {
    const random = stream(1, "md5-test");
    for (let length = 0; length <= 192; length++) {
      for (let r = 0; r < 5; r++) {
        const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
        expect(md5Head(bytes, length), `length ${length}`).toBe(reference(bytes));
      }
    }
  });

  it("hashes only the first `length` bytes of a longer buffer", () => {
    const buffer = new Uint8Array(64).fill(0x41);
    expect(md5Head(buffer, 3)).toBe(reference(ascii("AAA")));
  });
});
