import { z } from "zod";
import type { RoutingView } from "./define.js";

/** What a hashing strategy hashes: the client address (as the product's `$remote_addr` text) or the session id. */
export const hashKeyOption = z
  .enum(["address", "session"])
  .default("address")
  .describe('What to hash: "address" (the client IPv4 address as text, like nginx $remote_addr) or "session" (the application session id).');
export type HashKey = z.output<typeof hashKeyOption>;

/**
 * Writes the request's key as ASCII bytes into `out` (at least 64 bytes) without allocating, and
 * returns its length; 0 when the request has no such key (no session, and no id reserved for
 * one), which products treat as an empty key. Addresses are dotted decimal ("10.0.0.7"), session ids decimal.
 */
export function writeKey(request: RoutingView, key: HashKey, out: Uint8Array): number {
  if (request.keyText !== null) {
    const text = request.keyText;
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
    return text.length;
  }
  if (key === "session") {
    const id = request.sessionKey >= 0 ? request.sessionKey : request.nextSessionKey;
    return id < 0 ? 0 : writeDecimal(id, out, 0);
  }
  const a = request.address;
  let n = writeDecimal(a >>> 24, out, 0);
  out[n++] = 0x2e;
  n = writeDecimal((a >>> 16) & 0xff, out, n);
  out[n++] = 0x2e;
  n = writeDecimal((a >>> 8) & 0xff, out, n);
  out[n++] = 0x2e;
  return writeDecimal(a & 0xff, out, n);
}

/** Writes a non-negative integer in decimal at `out[at]` and returns the index after its last digit. */
export function writeDecimal(value: number, out: Uint8Array, at: number): number {
  if (value === 0) {
    out[at] = 0x30;
    return at + 1;
  }
  let digits = 0;
  for (let v = value; v > 0; v = Math.floor(v / 10)) digits++;
  for (let i = at + digits - 1, v = value; i >= at; i--, v = Math.floor(v / 10)) out[i] = 0x30 + (v % 10);
  return at + digits;
}
