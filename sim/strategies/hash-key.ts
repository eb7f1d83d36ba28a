import { z } from "zod";
import type { RoutingView } from "./define.js";

/** The keys a hashing strategy can hash: the connection's address, the session id, or the X-Forwarded-For address. */
export const HASH_KEYS = ["address", "session", "forwarded-for"] as const;

/** What a hashing strategy hashes: the client address (as the product's `$remote_addr` text), the session id, or X-Forwarded-For. */
export const hashKeyOption = z
  .enum(HASH_KEYS)
  .default("address")
  .describe(
    'What to hash: "address" (the client IPv4 address as text, like nginx $remote_addr), "session" (the application session id) or "forwarded-for" (the X-Forwarded-For header a proxy or CDN adds, like nginx $http_x_forwarded_for; empty when a client comes directly).',
  );
export type HashKey = z.output<typeof hashKeyOption>;

/**
 * Writes the request's key as ASCII bytes into `out` (at least 64 bytes) without allocating, and
 * returns its length; 0 when the request has no such key (no session and no id reserved for one,
 * or no X-Forwarded-For header), which products treat as an empty key. Addresses are dotted
 * decimal ("10.0.0.7"), session ids decimal.
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
  const a = key === "forwarded-for" ? request.forwardedFor : request.address;
  if (a < 0) return 0;
  let n = writeDecimal(a >>> 24, out, 0);
  out[n++] = 0x2e;
  n = writeDecimal((a >>> 16) & 0xff, out, n);
  out[n++] = 0x2e;
  n = writeDecimal((a >>> 8) & 0xff, out, n);
  out[n++] = 0x2e;
  return writeDecimal(a & 0xff, out, n);
}

/** A reused buffer for a request's key as `writeKey` writes it, grown for a rare long `keyText`. */
export class KeyBytes {
  bytes = new Uint8Array(256);

  /** Writes the request's key into `bytes` and returns its length. */
  write(request: RoutingView, key: HashKey): number {
    let length = writeKey(request, key, this.bytes);
    if (length > this.bytes.length) {
      this.bytes = new Uint8Array(length * 2); // a rare long keyText from `lbsim route`
      length = writeKey(request, key, this.bytes);
    }
    return length;
  }
}

/** Writes a non-negative integer in decimal as ASCII into `out` from `at`; returns the index after its last digit. */
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
