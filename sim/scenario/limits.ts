/**
 * The largest values a scenario may hold. Each bound is what the model's typed arrays or the
 * modelled products allow, so a value past it is refused up front instead of wrapping silently.
 * The JSON Schema for editors states them too (they are zod `.max()` checks).
 */
export const LIMITS = {
  /** Balancer instances (`balancer.replicas`). */
  balancerReplicas: 16,
  /** Any duration: ten years, in seconds. Longer runs are budgeted by event count anyway. */
  seconds: 3650 * 86400,
  /** HAProxy accepts weights 0..256 (src/server.c, `weight`); nginx takes any positive integer, lbsim the common range. */
  weight: 256,
  servers: 100_000,
  /** Requests one server handles at once. */
  workers: 10_000,
  queueLimit: 10_000_000,
  /** HAProxy server ids are positive signed 32-bit integers (`id`, src/server.c). */
  serverId: 2 ** 31 - 1,
  /** Any count drawn from a distribution (requests per visit, NAT group size). */
  countValue: 1_000_000,
  visitsPerSecond: 1_000_000,
  users: 1_000_000_000,
  /**
   * NAT and proxy addresses in one scenario, all pools together. Each takes a distinct /24 prefix
   * at most (2^24 exist), and a few bytes of tables per run.
   */
  sharedAddresses: 4_000_000,
  /** NAT pools in `clients.nat`. */
  natPools: 16,
  replications: 1000,
  strategies: 200,
  /** Device classes of users (clients.classes): each becomes a row per strategy in the reports and a byte per user slot. */
  deviceClasses: 16,
  /** A device class's name, short enough for a label listing several and a CSV column name. */
  classNameLength: 32,
  events: 10_000,
  retries: 100,
  healthThreshold: 1000,
  nameLength: 100,
  labelLength: 100,
  descriptionLength: 2000,
} as const;
