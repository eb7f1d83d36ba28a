import { z } from "zod";
import { count, countDistribution, fraction, type DistributionSpec } from "./fields.js";
import { LIMITS } from "./limits.js";

/**
 * The addresses users share: NAT pools (`clients.nat`) and forward proxies or CDNs in front of the
 * balancer (`clients.proxies`). Their defaults that depend on the rest of the scenario (how many
 * addresses, how many /24 networks) are worked out in nat-pools.ts.
 */

/** How a pool's addresses sit in /24 networks when `networks` is not given: each in its own, or packed into as few as hold them. */
export type NetworkLayout = "own" | "packed";

/**
 * The presets: what a kind of NAT looks like to a balancer.
 * - corporate: an office's egress address. No published size distribution exists, so a heavy
 *   tail: most addresses carry one or a few users, a few carry thousands; every office in its
 *   own /24.
 * - carrier: carrier-grade NAT (RFC 6598 shared space inside, RFC 6888) with deterministic
 *   256-port blocks, as Junos Next Gen deterministic NAPT allocates by default: ⌊64512 / 256⌋ =
 *   252 subscribers per public address (ports 1024-65535), the addresses packed into the
 *   ISP's few /24 pools.
 */
export const NAT_PRESETS: Record<"corporate" | "carrier", { groupSize: DistributionSpec; layout: NetworkLayout }> = {
  corporate: { groupSize: { dist: "pareto", min: 1, max: 5000, alpha: 1 }, layout: "own" },
  carrier: { groupSize: { dist: "constant", value: 252 }, layout: "packed" },
};

/** A pool without a preset: groups of 20 to 2,000, each address in its own /24. */
export const DEFAULT_NAT = { groupSize: { dist: "pareto", min: 20, max: 2000, alpha: 1.2 } as DistributionSpec, layout: "own" as NetworkLayout };

const natPool = z.strictObject({
  preset: z
    .enum(["corporate", "carrier"])
    .optional()
    .describe('Defaults for groupSize and networks: "corporate" (pareto 1-5000, alpha 1; each address its own /24) or "carrier" (252 per address, packed into full /24s).'),
  fraction: fraction.default(0).describe("Share of users behind this pool's NAT addresses."),
  groupSize: countDistribution
    .optional()
    .describe("Relative size of each address, drawn once per address: a user behind this NAT picks an address with probability proportional to its size (default pareto 20-2000, alpha 1.2, or the preset's)."),
  addresses: count(LIMITS.sharedAddresses)
    .optional()
    .describe("How many NAT addresses the pool has (default: the users expected behind it divided by the mean groupSize, at least 1)."),
  networks: count(LIMITS.sharedAddresses)
    .optional()
    .describe("How many /24 networks hold the addresses (default: one per address, or as few as hold them with the carrier preset); nginx ip_hash keys on the /24."),
});

/** `clients.nat`: one pool, or a list of them. */
export const natSchema = z.union([natPool, z.array(natPool).min(1).max(LIMITS.natPools)]).prefault({});
export type RawNatPool = z.output<typeof natPool>;

/** `clients.proxies`: forward proxies or a CDN some users reach the balancer through. */
export const proxiesSchema = z
  .strictObject({
    fraction: fraction.default(0).describe("Share of users who reach the balancer through a proxy (a CDN or a corporate forward proxy), whether or not they are behind NAT."),
    count: count(LIMITS.sharedAddresses).default(1).describe("How many proxy addresses there are; each user keeps to one of them, chosen at random."),
    networks: count(LIMITS.sharedAddresses).optional().describe("How many /24 networks hold the proxy addresses (default: one per address)."),
    forwardedFor: z
      .union([z.boolean(), z.enum(["header", "proxy-protocol"])])
      .default("header")
      .transform((v) => (v === true ? "header" : v))
      .describe(
        'What the balancer learns of the client: "header" or true (the default: the connection comes from the proxy, the client\'s address travels in X-Forwarded-For), "proxy-protocol" (the proxy speaks the PROXY protocol, so the balancer takes the client\'s address as the source) or false (only the proxy\'s address).',
      ),
  })
  .prefault({});
export type RawProxies = z.output<typeof proxiesSchema>;
