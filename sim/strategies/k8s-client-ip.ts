import { z } from "zod";
import { defineStrategy } from "./define.js";

/** Kubernetes' default `sessionAffinityConfig.clientIP.timeoutSeconds`: 3 hours. */
const DEFAULT_TIMEOUT = 10_800;
/** The API server accepts 0 < timeoutSeconds <= 86400. */
const MAX_TIMEOUT = 86_400;
/** Table slots allocated up front, and the size below which no sweep runs. */
const MIN_CAPACITY = 1024;

/**
 * Kubernetes Service `sessionAffinity: ClientIP` as kube-proxy's iptables mode implements it
 * (pkg/proxy/iptables/proxier.go; Kubernetes docs, "Virtual IPs and Service Proxies"; and the rules
 * kube-proxy writes). The service chain first has, per endpoint,
 * `-m recent --name <endpoint chain> --rcheck --seconds <timeout> --reap -j <endpoint chain>`,
 * then the random rules (`-m statistic --mode random --probability 1/(n-i)`, i.e. uniform over the
 * ready endpoints, weights ignored: endpoints have none), and each endpoint chain records the
 * client with `-m recent --set`. So:
 *
 * - the first request from an address picks an accepting server (a ready endpoint) uniformly at
 *   random and remembers (address -> server, last use);
 * - a later request from that address, while now - last use < timeout (xt_recent's strict
 *   comparison), goes to the same server and refreshes the last use; every client behind one
 *   address (NAT) shares the entry, and each of them keeps it alive;
 * - otherwise (expired, or the server is not accepting) it picks again at random. A terminating
 *   pod is eligible but not accepting: kube-proxy leaves terminating endpoints out of the service
 *   chain, their `--rcheck` rules included, so their clients are re-picked like a failed pod's
 *   (its fallback to serving terminating endpoints when none is ready is not modelled).
 * - When a server stops accepting, its clients are forgotten even if it comes back before they
 *   return: kube-proxy deletes a failed endpoint's chain, and with the last rule naming it the
 *   kernel frees that xt_recent list (a terminating pod never comes back). lbsim keeps a
 *   per-server epoch, bumped on that transition, in each entry.
 *
 * Entries live in typed arrays indexed by slot; a Map from address to slot is written only when
 * an address is first seen. Expired entries are reused in place when their address returns, and
 * swept (amortised, when the table has doubled since the last sweep) otherwise.
 */
export const k8sClientIp = defineStrategy({
  id: "k8s-client-ip",
  summary: "Kubernetes Service sessionAffinity ClientIP (kube-proxy iptables): a random pod per client address, kept while used within the timeout.",
  models: "Kubernetes Service sessionAffinity: ClientIP, kube-proxy iptables mode (recent + statistic random)",
  options: z.strictObject({
    timeout: z
      .number()
      .int()
      .min(1)
      .max(MAX_TIMEOUT)
      .default(DEFAULT_TIMEOUT)
      .describe("`sessionAffinityConfig.clientIP.timeoutSeconds`: seconds since an address's last request after which it is balanced afresh (Kubernetes default 10800)."),
  }),
  create(pool, draw, options) {
    const timeout = options.timeout;
    const slotOf = new Map<number, number>();
    let address = new Int32Array(MIN_CAPACITY);
    let server = new Int32Array(MIN_CAPACITY).fill(-1);
    let epoch = new Int32Array(MIN_CAPACITY);
    let lastUsed = new Float64Array(MIN_CAPACITY);
    let free = new Int32Array(MIN_CAPACITY);
    let freeCount = 0;
    let used = 0;
    let sweepAt = MIN_CAPACITY;

    // Sized by capacity, so servers added later need no reallocation.
    const capacity = pool.weights.length;
    const serverEpoch = new Int32Array(capacity);
    const wasAccepting = new Uint8Array(capacity);
    const hosts = new Int32Array(capacity);
    let count = 0;

    const refresh = () => {
      count = 0;
      for (let i = 0; i < pool.size; i++) {
        if (wasAccepting[i] && !pool.accepting[i]) serverEpoch[i]++;
        wasAccepting[i] = pool.accepting[i];
        if (pool.accepting[i]) hosts[count++] = i;
      }
    };
    refresh();

    const live = (slot: number, now: number) => {
      const s = server[slot];
      return s >= 0 && pool.accepting[s] === 1 && epoch[slot] === serverEpoch[s] && now - lastUsed[slot] < timeout;
    };

    const sweep = (now: number) => {
      for (let slot = 0; slot < used; slot++) {
        if (server[slot] < 0 || live(slot, now)) continue;
        slotOf.delete(address[slot]);
        server[slot] = -1;
        free[freeCount++] = slot;
      }
      sweepAt = Math.max(MIN_CAPACITY, 2 * slotOf.size);
    };

    const grow = () => {
      const size = 2 * address.length;
      const a = new Int32Array(size), s = new Int32Array(size).fill(-1), e = new Int32Array(size), l = new Float64Array(size);
      a.set(address);
      s.set(server);
      e.set(epoch);
      l.set(lastUsed);
      address = a;
      server = s;
      epoch = e;
      lastUsed = l;
      free = new Int32Array(size);
    };

    return {
      poolChanged: refresh,
      pick(request) {
        const now = request.now;
        const key = request.address | 0;
        let slot = slotOf.get(key);
        if (slot !== undefined && live(slot, now)) {
          lastUsed[slot] = now;
          return server[slot];
        }
        if (count === 0) return -1;
        const chosen = hosts[Math.floor(draw() * count)];
        if (slot === undefined) {
          if (slotOf.size >= sweepAt) sweep(now);
          if (freeCount > 0) slot = free[--freeCount];
          else {
            if (used === address.length) grow();
            slot = used++;
          }
          slotOf.set(key, slot);
          address[slot] = key;
        }
        server[slot] = chosen;
        epoch[slot] = serverEpoch[chosen];
        lastUsed[slot] = now;
        return chosen;
      },
    };
  },
});
