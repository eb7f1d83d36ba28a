import { describe, expect, it } from "vitest";
import { KeyedRandom } from "../../sim/engine/random.js";
import { SharedAddresses } from "../../sim/model/shared-addresses.js";
import type { NatPool, Proxies } from "../../sim/scenario/nat-pools.js";

const NO_PROXIES: Proxies = { fraction: 0, count: 1, networks: 1, forwardedFor: "header" };
const real = (purpose: string) => new KeyedRandom(7, purpose);
/** A keyed stream whose draws the test decides. */
const scripted = (at: (a: number, b: number) => number) => ({ at }) as unknown as KeyedRandom;
const prefix = (address: number) => address >>> 8;
/** A pool of equal sizes. */
const pool = (fraction: number, addresses = 1, networks = addresses): NatPool => ({ fraction, groupSize: { dist: "constant", value: 1 }, addresses, networks });
const host = (address: number) => address & 255;

/** The NAT address of each of `users` users drawn behind the first pool. */
function picks(shared: SharedAddresses, users: number, draw = 0): number[] {
  return Array.from({ length: users }, (_, uid) => shared.natAddress(draw, uid));
}

describe("NAT addresses", () => {
  it("a user picks an address with probability proportional to its size", () => {
    // Sizes 80, 160, ..., 640 (uniform 0-800 at the draws 0.1 ... 0.8), so address k takes (k + 1) / 36 of the users;
    // network j is the /24 (j + 1)·16.0.0, with its first address at host .1.
    const sized: NatPool = { fraction: 1, groupSize: { dist: "uniform", min: 0, max: 800 }, addresses: 8, networks: 8 };
    const keyed = (purpose: string) =>
      purpose === "nat0:size" ? scripted((k) => (k + 1) / 10) : purpose === "nat0:network" ? scripted((j, attempt) => (attempt === 0 ? 0 : (j + 1) / 16)) : real(purpose);
    const shared = new SharedAddresses([sized], NO_PROXIES, keyed);
    const users = 72_000;
    const counts = new Map<number, number>();
    for (const a of picks(shared, users)) counts.set(a, (counts.get(a) ?? 0) + 1);
    expect(counts.size).toBe(8);
    for (let k = 0; k < 8; k++) {
      const address = (k + 1) * 16 * 2 ** 24 + 1;
      const p = (k + 1) / 36, sd = Math.sqrt((p * (1 - p)) / users);
      expect(Math.abs((counts.get(address) ?? 0) / users - p), `address ${k}`).toBeLessThan(4 * sd);
    }
  });

  it("spreads a pool's addresses evenly over its networks, each a distinct /24, on distinct hosts", () => {
    const shared = new SharedAddresses([pool(0.5, 1000, 7), pool(0.5, 300)], { fraction: 1, count: 5, networks: 1, forwardedFor: false }, real);
    // Equal sizes: 60,000 users see every one of 1,000 addresses (each missed with probability e^-60).
    const first = new Set(picks(shared, 60_000, 0.1)), second = new Set(picks(shared, 30_000, 0.9));
    const proxies = new Set(Array.from({ length: 1000 }, (_, uid) => shared.proxyAddress(uid)));
    expect([first.size, second.size, proxies.size]).toEqual([1000, 300, 5]);
    const networks = (addresses: Set<number>) => {
      const byNetwork = new Map<number, number>();
      for (const a of addresses) byNetwork.set(prefix(a), (byNetwork.get(prefix(a)) ?? 0) + 1);
      return byNetwork;
    };
    const firstNetworks = networks(first);
    expect(firstNetworks.size).toBe(7);
    // 1000 = 6 × 143 + 142: no network holds more than one address above another.
    expect([...firstNetworks.values()].sort()).toEqual([142, 143, 143, 143, 143, 143, 143]);
    expect(networks(second).size).toBe(300);
    expect(networks(proxies).size).toBe(1);
    const hosts = [...first, ...second, ...proxies].map(host);
    expect(Math.min(...hosts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...hosts)).toBeLessThanOrEqual(254);
    // No /24 is shared between the pools and the proxies.
    const all = [...firstNetworks.keys(), ...networks(second).keys(), ...networks(proxies).keys()];
    expect(new Set(all).size).toBe(all.length);
  });

  it("takes the pools' shares of the NAT draw in order, and leaves the rest of the users on their own addresses", () => {
    const shared = new SharedAddresses([pool(0.2), pool(0), pool(0.3)], NO_PROXIES, real);
    const [a, c] = [shared.natAddress(0, 1), shared.natAddress(0.2, 1)];
    expect(a).not.toBe(c);
    expect(shared.natAddress(0.1999, 5)).toBe(a);
    expect(shared.natAddress(0.4999, 5)).toBe(c);
    expect(shared.natAddress(0.5, 5)).toBe(-1);
    expect(shared.natAddress(0.99, 5)).toBe(-1);
  });

  it("puts a fixed share of the users behind proxies, each user always behind the same one", () => {
    const shared = new SharedAddresses([pool(0)], { fraction: 0.25, count: 10, networks: 10, forwardedFor: "header" }, real);
    const users = 40_000;
    const proxied = Array.from({ length: users }, (_, uid) => shared.proxyAddress(uid));
    const share = proxied.filter((a) => a >= 0).length / users;
    expect(Math.abs(share - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / users));
    expect(proxied.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, uid) => shared.proxyAddress(uid)));
    expect(new Set(proxied.filter((a) => a >= 0)).size).toBe(10);
  });
});
