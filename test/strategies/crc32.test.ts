import { describe, expect, it } from "vitest";
import { CRC32_INIT, crc32, crc32Final, crc32Update } from "../../sim/strategies/crc32.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("crc32 (reflected IEEE, as zlib and nginx)", () => {
  it("gives the standard check values", () => {
    expect(crc32(bytes("123456789"))).toBe(0xcbf43926); // the CRC-32/ISO-HDLC check value
    expect(crc32(bytes(""))).toBe(0);
    expect(crc32(bytes("a"))).toBe(0xe8b7be43);
    expect(crc32(bytes("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad); // 32 zero bytes
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it("gives the key hash of the nginx hash consistent examples: CRC32(\"user42\") = 2083503798", () => {
    expect(crc32(bytes("user42"))).toBe(2083503798);
  });

  it("hashes only the given byte range", () => {
    const text = bytes("xx123456789yy");
    expect(crc32(text, 2, 11)).toBe(0xcbf43926);
    expect(crc32(text, 5, 5)).toBe(0);
  });

  it("is the same fed in pieces as in one call (nginx's init / update / final)", () => {
    const text = bytes("10.0.0.1\u000080");
    let state = CRC32_INIT;
    state = crc32Update(state, text, 0, 8);
    state = crc32Update(state, text, 8, 9);
    state = crc32Update(state, text, 9, text.length);
    expect(crc32Final(state)).toBe(crc32(text));
    for (let cut = 0; cut <= 9; cut++) expect(crc32Final(crc32Update(crc32Update(CRC32_INIT, text, 0, cut), text, cut, text.length))).toBe(crc32(text));
  });

  it("returns unsigned 32-bit values", () => {
    for (const t of ["", "a", "abc", "user42", "123456789"]) {
      const c = crc32(bytes(t));
      expect(Number.isInteger(c) && c >= 0 && c < 2 ** 32).toBe(true);
    }
  });
});
