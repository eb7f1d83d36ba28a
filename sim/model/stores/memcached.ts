import { z } from "zod";
import { InvariantError } from "../../engine/invariant.js";
import type { LostCause } from "../../metrics/causes.js";
import { serverNameField } from "../../scenario/fields.js";
import { crc32 } from "../../strategies/crc32.js";
import { buildKetamaRing, firstAtOrAfter, type KetamaRing } from "../../strategies/nginx-hash-consistent.js";
import { defineStore, type StoreContext } from "./define.js";
import { grown, grownLength } from "./grow.js";
import { RoundTrips } from "./round-trips.js";
import type { SessionStore } from "./session-store.js";
import { sharedOptions } from "./shared.js";

/** Nodes a store may have: a session's copies are a bit mask of them in 32 bits. */
const MAX_NODES = 32;

const memcachedOptions = {
  nodes: z
    .union([
      z
        .number()
        .int()
        .positive()
        .max(MAX_NODES)
        .transform((n) => Array.from({ length: n }, (_, i) => `m${i + 1}`)),
      z
        .array(serverNameField)
        .min(1)
        .max(MAX_NODES)
        .refine((names) => new Set(names).size === names.length, { error: "expected distinct node names" }),
    ])
    .prefault(3)
    .describe(`The memcached nodes: how many (named m1, m2, ...; default 3), or their names; at most ${MAX_NODES}.`),
  replicas: z
    .number()
    .int()
    .min(0)
    .max(MAX_NODES - 1)
    .default(0)
    .describe("Extra copies of each session, on the next distinct nodes along the ring (libmemcached MEMCACHED_BEHAVIOR_NUMBER_OF_REPLICAS); default 0."),
  latency: sharedOptions.latency,
};
type MemcachedOptions = z.output<z.ZodObject<typeof memcachedOptions>>;

const encoder = new TextEncoder();

/**
 * Sessions in a memcached cluster. A node keeps items in memory only, with no persistence and no
 * replication between nodes (memcached.c; doc/protocol.txt), so a node that restarts comes back
 * empty. The client spreads keys over the nodes on a ketama ring (nginx's: 160 CRC-32 points per
 * node, ngx_http_upstream_hash_module.c, Cache::Memcached::Fast compatible; libmemcached's
 * MEMCACHED_BEHAVIOR_KETAMA makes its 160 points with MD5, which places the arcs elsewhere but
 * spreads and moves keys alike). A session's key is its user's uid, hashed as its decimal text:
 * lbsim starts a lost session over under the same key, so it stays on the same nodes.
 *
 * A write goes to the first 1 + `replicas` nodes reachable clockwise from the key's point
 * (libmemcached writes replicas to the next servers); a read looks at the same nodes and finds
 * the session if any of them holds a copy. A node that is unreachable is ejected (libmemcached
 * MEMCACHED_BEHAVIOR_AUTO_EJECT_HOSTS, REMOVE_FAILED_SERVERS): keys skip it, and miss on the node
 * they reach instead (cause storeOutage). Its items are still there when it returns, so keys
 * that go back to it find their copy; what a restart lost misses with cause storeDataLoss,
 * charged to the restart. Without a reachable node the client answers at once, a miss: an
 * outage of the whole store loses every session read during it (storeOutage) and stores none.
 */
class MemcachedStore implements SessionStore {
  readonly queued = false;
  readonly failed = false;
  readonly #names: readonly string[];
  readonly #copies: number;
  /** Every node's bit. */
  readonly #all: number;
  readonly #ring: KetamaRing;
  readonly #trips: RoundTrips;
  /** Per node: until when it is unreachable, when it last lost its items (a restart) and which event that was. */
  readonly #downUntil: Float64Array;
  readonly #lostAt: Float64Array;
  readonly #lostByEvent: Int32Array;
  /** What the current access's read found, and the event a data loss is charged to. */
  #readLoss: LostCause | null = null;
  #lostBy = -1;
  /**
   * Per session (client slot): its user's uid + 1 (0: none yet), the ring point its key hashes
   * to, the nodes holding a copy and when it was last written. Each bit of `held` stands for a
   * copy that was there at `writtenAt` (a write adds its nodes to the copies still there), so a
   * copy is there now unless its node has lost its items since.
   */
  #user = new Int32Array(1024);
  #point = new Int32Array(1024);
  #held = new Int32Array(1024);
  #writtenAt = new Float64Array(1024);

  constructor(options: MemcachedOptions, context: StoreContext) {
    const n = options.nodes.length;
    this.#names = options.nodes;
    this.#copies = 1 + options.replicas;
    this.#all = (2 ** n - 1) | 0;
    this.#ring = buildKetamaRing(options.nodes, new Int32Array(n).fill(1));
    this.#trips = new RoundTrips(options.latency, context);
    this.#downUntil = new Float64Array(n).fill(-Infinity);
    this.#lostAt = new Float64Array(n).fill(-Infinity);
    this.#lostByEvent = new Int32Array(n).fill(-1);
  }

  /**
   * Reads the session from the nodes its key reaches (unless `read` is false: it came from
   * elsewhere) and writes it back to them: a round trip each, none when no node is reachable.
   */
  access(slot: number, now: number, uid: number, n: number, _server = 0, read = true): number {
    if (slot >= this.#held.length) this.#grow(slot);
    if (this.#user[slot] !== uid + 1) this.#newUser(slot, uid);
    const reach = this.#reachable(this.#point[slot], now);
    const there = this.#there(slot);
    this.#readLoss = !read || (there & reach) !== 0 ? null : this.#missCause(slot, there);
    if (reach === 0) return 0;
    this.#held[slot] = there | reach;
    this.#writtenAt[slot] = now;
    return (read ? this.#trips.at(uid, 2 * n) : 0) + this.#trips.at(uid, 2 * n + 1);
  }

  write(): number {
    return 0;
  }

  /** The access's write already stored the session it creates. */
  created(): void {}

  readFailure(): LostCause | null {
    return this.#readLoss;
  }

  heldLocally(): boolean {
    return false;
  }

  lostBy(): number {
    return this.#lostBy;
  }

  outage(seconds: number, now: number, _event: number, node?: string): void {
    for (const j of this.#nodes(node, now)) this.#downUntil[j] = Math.max(this.#downUntil[j], now + seconds);
  }

  /** memcached keeps nothing across a restart: the node comes back empty. */
  restart(seconds: number, now: number, event: number, node?: string): void {
    for (const j of this.#nodes(node, now)) {
      this.#lostAt[j] = now;
      this.#lostByEvent[j] = event;
    }
    this.outage(seconds, now, event, node);
  }

  /** The first `copies` distinct nodes clockwise from ring point `start` that are not ejected, as a bit mask. */
  #reachable(start: number, now: number): number {
    const owners = this.#ring.owners, points = owners.length;
    let reach = 0, seen = 0, found = 0;
    for (let k = 0; k < points && found < this.#copies && seen !== this.#all; k++) {
      const node = owners[(start + k) % points], bit = 1 << node;
      if ((seen & bit) !== 0) continue;
      seen |= bit;
      if (now < this.#downUntil[node]) continue;
      reach |= bit;
      found++;
    }
    return reach;
  }

  /** The nodes that hold a copy of the session now. */
  #there(slot: number): number {
    const written = this.#writtenAt[slot];
    let there = 0;
    for (let held = this.#held[slot]; held !== 0; held &= held - 1) {
      const bit = held & -held;
      if (this.#lostAt[31 - Math.clz32(bit)] <= written) there |= bit;
    }
    return there;
  }

  /**
   * Why a read found no copy on the nodes it reached: a copy on a node it did not reach (ejected,
   * or one a write made while the key's node was ejected) is an outage's; copies that restarts
   * all lost are charged to the last of those restarts; a session never stored (every node was
   * unreachable) is an outage's too.
   */
  #missCause(slot: number, there: number): LostCause {
    const held = this.#held[slot];
    if (there !== 0 || held === 0) return "storeOutage";
    let last = -Infinity;
    for (let bits = held; bits !== 0; bits &= bits - 1) {
      const node = 31 - Math.clz32(bits & -bits);
      if (this.#lostAt[node] > last) {
        last = this.#lostAt[node];
        this.#lostBy = this.#lostByEvent[node];
      }
    }
    return "storeDataLoss";
  }

  /** A slot's first access by user `uid`: its key's ring point; no copies yet. */
  #newUser(slot: number, uid: number): void {
    this.#user[slot] = uid + 1;
    this.#point[slot] = firstAtOrAfter(this.#ring.points, crc32(encoder.encode(String(uid))));
    this.#held[slot] = 0;
    this.#writtenAt[slot] = -Infinity;
  }

  /** The nodes a store event concerns: the one named, or all. */
  #nodes(node: string | undefined, now: number): number[] {
    if (node === undefined) return this.#names.map((_, j) => j);
    const j = this.#names.indexOf(node);
    if (j < 0) throw new InvariantError("a store event names a node the store does not have", now, `node ${JSON.stringify(node)}`);
    return [j];
  }

  #grow(slot: number): void {
    const n = grownLength(this.#held.length, slot);
    this.#user = grown(this.#user, n);
    this.#point = grown(this.#point, n);
    this.#held = grown(this.#held, n);
    this.#writtenAt = grown(this.#writtenAt, n);
  }
}

export const memcachedStore = defineStore({
  kind: "memcached",
  title: "memcached",
  summary: "Sessions on memcached nodes by ketama consistent hashing, optionally with replicas: an unreachable node is skipped, a restarted one comes back empty.",
  canFail: true,
  options: memcachedOptions,
  refine: (options, ctx) => {
    if (options.replicas >= options.nodes.length)
      ctx.addIssue({ code: "custom", path: ["replicas"], message: `${options.replicas} replicas make ${options.replicas + 1} copies, more than the ${options.nodes.length} nodes (each copy goes to another node); use at most ${options.nodes.length - 1}` });
  },
  nodes: (options) => options.nodes,
  create: (options, context) => new MemcachedStore(options, context),
});
