import { z } from "zod";
import { defineStrategy } from "./define.js";

/** Kubernetes' default `sessionAffinityConfig.clientIP.timeoutSeconds`: 3 hours. */
const DEFAULT_TIMEOUT = 10_800;
/** The API server accepts 0 < timeoutSeconds <= 86400. */
const MAX_TIMEOUT = 86_400;
/** xt_recent's `ip_list_tot` module parameter: addresses one recent list holds, 100 by default. */
const DEFAULT_LIST_SIZE = 100;
/** The kernel sizes a list's hash table as 1 << fls(ip_list_tot), so keep it well inside 32 bits. */
const MAX_LIST_SIZE = 2 ** 30;
/** Kubernetes supports clusters of up to 5,000 nodes ("Considerations for large clusters"). */
const MAX_NODES = 5000;
/** Table slots allocated up front, and the size below which no sweep runs. */
const MIN_CAPACITY = 1024;
/** A slot's key: node × 2^32 + address, exact in a double for any node count here. */
const NODE_SPAN = 2 ** 32;

/**
 * Kubernetes Service `sessionAffinity: ClientIP` as kube-proxy's iptables mode implements it
 * (pkg/proxy/iptables/proxier.go; Kubernetes docs, "Virtual IPs and Service Proxies"; Linux
 * net/netfilter/xt_recent.c). The service chain first has, per endpoint,
 * `-m recent --name <endpoint chain> --rcheck --seconds <timeout> --reap -j <endpoint chain>`,
 * then the random rules (`-m statistic --mode random --probability 1/(n-i)`, i.e. uniform over the
 * ready endpoints, weights ignored: endpoints have none), and each endpoint chain records the
 * client with `-m recent --set`. So:
 *
 * - the first request from an address picks an accepting server (a ready endpoint) uniformly at
 *   random and enters the address in that endpoint's recent list;
 * - a later new connection from that address, while now - last set < timeout (xt_recent's
 *   strict comparison), goes to the same server and sets the entry again (only a connection's
 *   first packet passes the nat table: requests over a kept-alive connection, `clients.keepAlive`,
 *   are not picked here at all, so they refresh nothing); every client behind one
 *   address (NAT) shares the entry, and each of them keeps it alive;
 * - a list holds at most `ip_list_tot` addresses (`listSize`, 100 by default): entering one more
 *   evicts the least recently set (`recent_entry_init`), whose address is then balanced afresh. So
 *   an entry lasts until `listSize` other addresses have been set on that endpoint since it was, and
 *   with more addresses than that per pod affinity decays towards random;
 * - otherwise (expired, evicted, or the server is not accepting) it picks again at random. A
 *   terminating pod is eligible but not accepting: kube-proxy leaves terminating endpoints out of
 *   the service chain, their `--rcheck` rules included, so their clients are re-picked like a
 *   failed pod's (its fallback to serving terminating endpoints when none is ready is not modelled).
 * - When a server stops accepting, its lists are gone even if it comes back before its clients
 *   return: kube-proxy deletes a failed endpoint's chain, and with the last rule naming it the
 *   kernel frees that xt_recent list (a terminating pod never comes back). lbsim keeps a
 *   per-server epoch, bumped on that transition, in each entry.
 * - Every node's kube-proxy writes its own rules, so each node has its own lists. With `nodes` > 1
 *   each request enters through a node drawn uniformly at random (an external load balancer
 *   spreading connections over the nodes, `externalTrafficPolicy: Cluster`), so one address may be
 *   bound to a different pod on each node.
 *
 * Only expired entries are older than live ones in a list, so an address's entry moves from its
 * old endpoint's list to the new one's when it is re-picked (the kernel leaves the dead entry to be
 * reaped or evicted; either way no live entry is affected). Entries live in typed arrays indexed by
 * slot, linked in per-(node, endpoint) lists in the order they were last set; a Map from node and
 * address to slot is written only when an address is first seen on a node. Dead entries are reused
 * in place when their address returns, and swept (amortised, when the table has doubled since the
 * last sweep) otherwise.
 */
export const k8sClientIp = defineStrategy({
  id: "k8s-client-ip",
  summary: "Kubernetes Service sessionAffinity ClientIP (kube-proxy iptables): a random pod per client address, kept while used within the timeout and among the pod's last 100 addresses, per node.",
  models: "Kubernetes Service sessionAffinity: ClientIP, kube-proxy iptables mode (recent + statistic random; net/netfilter/xt_recent.c)",
  options: z.strictObject({
    timeout: z
      .number()
      .int()
      .min(1)
      .max(MAX_TIMEOUT)
      .default(DEFAULT_TIMEOUT)
      .describe("`sessionAffinityConfig.clientIP.timeoutSeconds`: seconds since an address's last new connection (its last request, unless clients.keepAlive keeps connections open) after which it is balanced afresh (Kubernetes default 10800)."),
    listSize: z
      .number()
      .int()
      .min(1)
      .max(MAX_LIST_SIZE)
      .default(DEFAULT_LIST_SIZE)
      .describe("xt_recent's `ip_list_tot`: addresses each pod's recent list holds on a node (kernel default 100); one more evicts the least recently seen, which is balanced afresh."),
    nodes: z
      .number()
      .int()
      .min(1)
      .max(MAX_NODES)
      .default(1)
      .describe("Nodes whose kube-proxy each keep their own lists; each request enters through one drawn at random (externalTrafficPolicy Cluster behind an external load balancer)."),
  }),
  tableEntries: (weights, options) => options.nodes * weights.length,
  create(pool, draw, options) {
    const { timeout, listSize, nodes } = options;
    const slotOf = new Map<number, number>();
    let key = new Float64Array(MIN_CAPACITY);
    let node = new Int32Array(MIN_CAPACITY);
    let server = new Int32Array(MIN_CAPACITY).fill(-1);
    let epoch = new Int32Array(MIN_CAPACITY);
    let lastSet = new Float64Array(MIN_CAPACITY);
    let older = new Int32Array(MIN_CAPACITY);
    let newer = new Int32Array(MIN_CAPACITY);
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
    // One recent list per node and endpoint, at node * capacity + server: its least and most
    // recently set slots and its length.
    const oldest = new Int32Array(nodes * capacity).fill(-1);
    const newest = new Int32Array(nodes * capacity).fill(-1);
    const length = new Int32Array(nodes * capacity);

    const refresh = () => {
      count = 0;
      for (let i = 0; i < pool.size; i++) {
        if (wasAccepting[i] && !pool.accepting[i]) {
          serverEpoch[i]++;
          for (let n = 0; n < nodes; n++) {
            const list = n * capacity + i;
            oldest[list] = newest[list] = -1;
            length[list] = 0;
          }
        }
        wasAccepting[i] = pool.accepting[i];
        if (pool.accepting[i]) hosts[count++] = i;
      }
    };
    refresh();

    /** Whether the slot's entry is in a list: not evicted (epoch -1), and its server's lists not freed since. */
    const listed = (slot: number) => server[slot] >= 0 && epoch[slot] === serverEpoch[server[slot]];

    const live = (slot: number, now: number) => listed(slot) && pool.accepting[server[slot]] === 1 && now - lastSet[slot] < timeout;

    const unlink = (slot: number) => {
      const list = node[slot] * capacity + server[slot];
      const o = older[slot], n = newer[slot];
      if (o >= 0) newer[o] = n;
      else oldest[list] = n;
      if (n >= 0) older[n] = o;
      else newest[list] = o;
      length[list]--;
    };

    const append = (slot: number) => {
      const list = node[slot] * capacity + server[slot];
      const last = newest[list];
      older[slot] = last;
      newer[slot] = -1;
      if (last >= 0) newer[last] = slot;
      else oldest[list] = slot;
      newest[list] = slot;
      length[list]++;
    };

    const sweep = (now: number) => {
      for (let slot = 0; slot < used; slot++) {
        if (server[slot] < 0 || live(slot, now)) continue;
        if (listed(slot)) unlink(slot);
        slotOf.delete(key[slot]);
        server[slot] = -1;
        free[freeCount++] = slot;
      }
      sweepAt = Math.max(MIN_CAPACITY, 2 * slotOf.size);
    };

    const grow = () => {
      const size = 2 * key.length;
      const widen = <T extends Int32Array | Float64Array>(from: T, to: T) => (to.set(from), to);
      key = widen(key, new Float64Array(size));
      node = widen(node, new Int32Array(size));
      server = widen(server, new Int32Array(size).fill(-1));
      epoch = widen(epoch, new Int32Array(size));
      lastSet = widen(lastSet, new Float64Array(size));
      older = widen(older, new Int32Array(size));
      newer = widen(newer, new Int32Array(size));
      free = new Int32Array(size);
    };

    return {
      // Only a connection's first packet passes the nat table: a request over a kept-alive connection is not seen, and sets nothing.
      perConnection: true,
      poolChanged: refresh,
      pick(request) {
        const now = request.now;
        const through = nodes > 1 ? Math.floor(draw() * nodes) : 0;
        const k = through * NODE_SPAN + (request.address >>> 0);
        let slot = slotOf.get(k);
        if (slot !== undefined && live(slot, now)) {
          // `--set` again: the entry becomes the list's most recent.
          unlink(slot);
          append(slot);
          lastSet[slot] = now;
          return server[slot];
        }
        if (count === 0) return -1;
        const chosen = hosts[Math.floor(draw() * count)];
        if (slot === undefined) {
          if (slotOf.size >= sweepAt) sweep(now);
          if (freeCount > 0) slot = free[--freeCount];
          else {
            if (used === key.length) grow();
            slot = used++;
          }
          slotOf.set(k, slot);
          key[slot] = k;
          node[slot] = through;
        } else if (listed(slot)) unlink(slot);
        // `recent_entry_init` on a full list drops its least recently set entry.
        const list = through * capacity + chosen;
        if (length[list] >= listSize) {
          const evicted = oldest[list];
          unlink(evicted);
          epoch[evicted] = -1; // out of every list; its address keeps its slot until swept or seen again
        }
        server[slot] = chosen;
        epoch[slot] = serverEpoch[chosen];
        lastSet[slot] = now;
        append(slot);
        return chosen;
      },
    };
  },
});
