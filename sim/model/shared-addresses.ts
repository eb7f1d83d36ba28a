import type { KeyedRandom } from "../engine/random.js";
import { HOSTS_PER_NETWORK, type NatPool, type Proxies } from "../scenario/nat-pools.js";
import { compileDistribution } from "./distributions.js";

/** /24 prefixes: the top 24 bits of an IPv4 address. */
const PREFIXES = 2 ** 24;

/**
 * The addresses users share in one run: each NAT pool's addresses, and the proxies'. They are laid
 * out before the first user arrives, from streams keyed by address and network number, so every
 * strategy of a replication sees the same ones; every network is a distinct random /24.
 *
 * A NAT address's size is drawn once, and a user behind the pool picks an address with
 * probability proportional to it, so an address carries the same share of its pool's users all
 * run long and at any arrival rate (a NAT is a place users come from, not a run of arrivals).
 */
export class SharedAddresses {
  /** Per pool, the end of its range of NAT draws: pool i takes draws in [upTo[i-1], upTo[i]). */
  readonly #upTo: Float64Array;
  readonly #pools: { addresses: Uint32Array; cumulative: Float64Array }[];
  readonly #proxies: Uint32Array;
  readonly #proxyFraction: number;
  readonly #natPick: KeyedRandom;
  readonly #proxyPick: KeyedRandom;

  /** `keyed` gives the run's keyed stream of a purpose. */
  constructor(nat: readonly NatPool[], proxies: Proxies, keyed: (purpose: string) => KeyedRandom) {
    const used = nat.some((pool) => pool.fraction > 0) || proxies.fraction > 0;
    // One bit per /24, so pools and proxies never share a network.
    const taken = new Uint8Array(used ? PREFIXES / 8 : 0);
    this.#upTo = new Float64Array(nat.length);
    let upTo = 0;
    this.#pools = nat.map((pool, i) => {
      upTo += pool.fraction;
      this.#upTo[i] = upTo;
      if (pool.fraction === 0) return { addresses: new Uint32Array(0), cumulative: new Float64Array(0) };
      const addresses = place(pool.addresses, pool.networks, keyed(`nat${i}:network`), taken);
      const groupSize = compileDistribution(pool.groupSize), sizeDraw = keyed(`nat${i}:size`);
      const cumulative = new Float64Array(pool.addresses);
      let total = 0;
      for (let k = 0; k < pool.addresses; k++) {
        total += Math.max(1, Math.round(groupSize.quantile(sizeDraw.at(k, 0))));
        cumulative[k] = total;
      }
      return { addresses, cumulative };
    });
    this.#proxies = proxies.fraction > 0 ? place(proxies.count, proxies.networks, keyed("proxy:network"), taken) : new Uint32Array(0);
    this.#proxyFraction = proxies.fraction;
    this.#natPick = keyed("natAddress");
    this.#proxyPick = keyed("proxy");
  }

  /**
   * The NAT address of user `uid` whose NAT draw (a uniform from the population stream) is
   * `draw`, or -1 when the user is behind no NAT.
   */
  natAddress(draw: number, uid: number): number {
    const upTo = this.#upTo;
    for (let i = 0; i < upTo.length; i++) {
      if (draw >= upTo[i]) continue;
      // A pool of fraction 0 has an empty range, so it is never the first whose range holds the draw.
      const { addresses, cumulative } = this.#pools[i];
      // The first address whose cumulative size passes a uniform point of the total.
      const x = this.#natPick.at(uid, 0) * cumulative[cumulative.length - 1];
      let lo = 0, hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid] > x) hi = mid;
        else lo = mid + 1;
      }
      return addresses[lo];
    }
    return -1;
  }

  /** The address of the proxy user `uid` reaches the balancer through (a fixed choice per user), or -1 when it reaches it directly. */
  proxyAddress(uid: number): number {
    if (this.#proxyFraction === 0 || !(this.#proxyPick.at(uid, 0) < this.#proxyFraction)) return -1;
    return this.#proxies[Math.floor(this.#proxyPick.at(uid, 1) * this.#proxies.length)];
  }
}

/**
 * `count` addresses in `networks` distinct random /24s (a network already `taken` is drawn
 * again): address k sits in network k mod networks, at host 1 + (start + ⌊k / networks⌋) mod 254
 * from a random start, so the addresses spread evenly over the networks and never share a host.
 */
function place(count: number, networks: number, draw: KeyedRandom, taken: Uint8Array): Uint32Array {
  const prefixes = new Uint32Array(networks), starts = new Uint8Array(networks);
  for (let j = 0; j < networks; j++) {
    let prefix = 0;
    for (let attempt = 1; ; attempt++) {
      prefix = Math.floor(draw.at(j, attempt) * PREFIXES);
      if ((taken[prefix >>> 3] & (1 << (prefix & 7))) === 0) break;
    }
    taken[prefix >>> 3] |= 1 << (prefix & 7);
    prefixes[j] = prefix;
    starts[j] = Math.floor(draw.at(j, 0) * HOSTS_PER_NETWORK);
  }
  const addresses = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const j = k % networks, host = 1 + ((starts[j] + Math.floor(k / networks)) % HOSTS_PER_NETWORK);
    addresses[k] = ((prefixes[j] << 8) | host) >>> 0;
  }
  return addresses;
}
