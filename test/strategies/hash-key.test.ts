import { describe, expect, it } from "vitest";
import { writeKey } from "../../sim/strategies/hash-key.js";
import { ipv4, request } from "../helpers.js";

const text = (bytes: Uint8Array, n: number) => String.fromCharCode(...bytes.subarray(0, n));

describe("writeKey", () => {
  const out = new Uint8Array(64);
  it("writes the address as nginx's $remote_addr text", () => {
    for (const a of ["0.0.0.0", "10.0.0.7", "255.255.255.255", "192.168.1.77"]) expect(text(out, writeKey(request({ address: ipv4(a) }), "address", out))).toBe(a);
  });
  it("writes the session id in decimal, and nothing without a session", () => {
    expect(text(out, writeKey(request({ sessionKey: 1234509 }), "session", out))).toBe("1234509");
    expect(writeKey(request({ sessionKey: -1 }), "session", out)).toBe(0);
  });
  it("writes the X-Forwarded-For address as its text, and nothing for a request without the header", () => {
    const r = request({ address: ipv4("198.51.100.4"), forwardedFor: ipv4("203.0.113.77") });
    expect(text(out, writeKey(r, "forwarded-for", out))).toBe("203.0.113.77");
    expect(text(out, writeKey(r, "address", out))).toBe("198.51.100.4");
    expect(writeKey(request({ address: ipv4("198.51.100.4"), forwardedFor: -1 }), "forwarded-for", out)).toBe(0);
  });
  it("prefers the caller's key text", () => {
    expect(text(out, writeKey(request({ keyText: "user42", address: ipv4("1.2.3.4") }), "address", out))).toBe("user42");
  });
});
