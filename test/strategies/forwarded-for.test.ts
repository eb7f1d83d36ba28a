import { describe, expect, it } from "vitest";
import type { StrategyDef } from "../../sim/strategies/define.js";
import { findStrategy, strategies } from "../../sim/strategies/index.js";
import { ipv4, pool, request } from "../helpers.js";

/** A strategy by id with these options. */
const make = (id: string, options: Record<string, unknown>, servers = 5) => {
  const def = findStrategy(id) as StrategyDef;
  return def.create(pool(servers), Math.random, def.options.parse(options));
};

const proxy = ipv4("198.51.100.10");
const clients = Array.from({ length: 200 }, (_, i) => ipv4(`203.0.${113 + (i >> 7)}.${(i & 127) + 1}`));

describe('key: "forwarded-for"', () => {
  // Every strategy with a `key` option: nginx's hash modules and the Envoy-style consistent hashes.
  const keyed = ["nginx-hash", "nginx-hash-consistent", "ring-hash", "maglev", "jump-hash", "rendezvous", "bounded-load"];

  it("is a value of the key option of exactly these strategies", () => {
    const withKey = strategies.filter((def) => (def.options as unknown as { shape?: Record<string, unknown> }).shape?.key !== undefined).map((def) => def.id);
    expect(withKey.sort()).toEqual([...keyed].sort());
    for (const id of keyed) expect(make(id, { key: "forwarded-for" })).toBeDefined();
  });

  it.each(keyed)("%s hashes the X-Forwarded-For text exactly as it hashes that address on the connection", (id) => {
    const byHeader = make(id, { key: "forwarded-for" }), byAddress = make(id, { key: "address" });
    for (const client of clients) expect(byHeader.pick(request({ address: proxy, forwardedFor: client }))).toBe(byAddress.pick(request({ address: client })));
  });

  it.each(["nginx-hash", "nginx-hash-consistent"])("%s balances a request without the header round robin, as nginx balances an empty key", (id) => {
    // ngx_http_upstream_get_hash_peer and _get_chash_peer: `hp->key.len == 0` goes to round robin.
    const s = make(id, { key: "forwarded-for" }, 3);
    expect([1, 2, 3, 4].map(() => s.pick(request({ address: proxy, forwardedFor: -1 })))).toEqual([0, 1, 2, 0]);
  });

  it.each(["ring-hash", "maglev", "jump-hash", "rendezvous", "bounded-load"])("%s hashes the connection's address when the header is missing", (id) => {
    const byHeader = make(id, { key: "forwarded-for" }), byAddress = make(id, { key: "address" });
    for (const client of clients.slice(0, 50)) expect(byHeader.pick(request({ address: client, forwardedFor: -1 }))).toBe(byAddress.pick(request({ address: client })));
  });
});
