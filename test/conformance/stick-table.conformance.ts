// Live conformance: a real HAProxy with stick tables (`stick on src`, or a learned SID cookie)
// against `haproxy-stick-table`. Each request goes to HAProxy (client address set with the PROXY
// protocol) and, at the same wall-clock times, to the simulator's strategy, which learns from the
// response as HAProxy does; server states are changed on both through HAProxy's runtime API. Every
// decision and the table's contents (`show table`) must be the same. Backends answer after 5 ms,
// so HAProxy's millisecond clock always moves between a request and its response, as it does
// when a server works. The peers cases run two HAProxy processes sharing their tables through a
// `peers` section, against two replicas of the strategy sharing theirs. Run with
// `npm run test:conformance`; needs haproxy (Debian 12: 2.6.12).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStickTableStrategy, haproxyStickTable } from "../../sim/strategies/haproxy-stick-table.js";
import type { StickTablePeers } from "../../sim/strategies/stick-table-peers.js";
import { ipv4, pool, request, type TestPool } from "../helpers.js";
import { backendHost, haproxyPeersCfg, haproxyStickCfg, type PeerNode, type StickCase } from "./configs.js";
import { exchangeThroughProxy, findProgram, freePorts, haproxyCommand, sleep, startBackends, startProgram, type Backends, type Running } from "./harness.js";

/** How long each backend takes to answer. */
const DELAY_MS = 5;
/** A pause between requests, so no two of them fall in one of HAProxy's milliseconds. */
const GAP_MS = 15;
/**
 * The pause between requests of the peers cases. An update reaches the other HAProxy within a
 * millisecond on loopback (0.1 to 0.3 ms measured, `set table` on one, polling `show table` on the
 * other), and the other replica of the strategy 1 ms after the write (its default delay): 50 ms
 * later both have it, whatever the scheduling, so the comparison does not depend on timing.
 */
const PEER_GAP_MS = 50;
/** An address on the backends' loopback range where nothing listens: a server moved there refuses connections. */
const NOWHERE = "127.0.1.9";

const cases: StickCase[] = [
  { name: "states", servers: 3, options: { size: 100 }, port: 0 },
  { name: "expiry", servers: 3, options: { size: 100, expire: 2 }, port: 0 },
  { name: "full", servers: 3, options: { size: 4 }, port: 0 },
  { name: "nopurge", servers: 3, options: { size: 4, nopurge: true }, port: 0 },
  { name: "redispatch", servers: 3, options: { size: 100, redispatch: true }, port: 0 },
  { name: "refused", servers: 3, options: { size: 100 }, port: 0 },
  { name: "cookie", servers: 3, options: { on: "cookie", size: 100, expire: 1 }, port: 0 },
];
const byName = (name: string) => cases.find((c) => c.name === name)!;

let dir = "";
let socket = "";
let backends: Backends | undefined;
let haproxy: Running | undefined;
const program = findProgram("haproxy");
const summary: string[] = [];
const origin = performance.now();
const clock = () => (performance.now() - origin) / 1000;
let sourcePort = 20_000;

beforeAll(async () => {
  if (program === undefined)
    throw new Error("haproxy not found in PATH or /usr/sbin: the stick-table conformance cases run the real program. Install it (Debian 12: apt-get install haproxy, which .ci/run does) and run again.");
  dir = mkdtempSync(join(tmpdir(), "lbsim-stick-"));
  socket = join(dir, "haproxy.sock");
  backends = await startBackends(3, { delayMs: DELAY_MS, sessions: true });
  const ports = await freePorts(cases.length);
  cases.forEach((c, k) => (c.port = ports[k]));
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, haproxyStickCfg(cases, dir, backends.port));
  haproxy = await startProgram("haproxy", program, ["-db", "-f", cfg], ports);
});

afterAll(async () => {
  await haproxy?.stop();
  await backends?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (summary.length > 0) console.log(`stick-table conformance:\n${summary.map((s) => `  ${s}`).join("\n")}`);
});

/** What one request got: a backend index, or the HTTP status when no backend answered. */
type Outcome = number | `${number}`;

/** One HAProxy process a twin sends to: its listener for the case, and its stats socket. */
interface Node {
  port: number;
  socket: string;
}

/**
 * One HAProxy backend and the simulator's strategy side by side; with several nodes (HAProxy
 * processes sharing the table as peers), one replica of the strategy per node, sharing what the
 * strategy's definition shares. A client is an address (`stick on src`) or, in cookie mode, a user
 * whose SID cookie both sides learn from their responses; the strategy's side of the application
 * behaves as the backends do (startBackends' `sessions`), which every node reaches.
 */
class Twin {
  readonly case: StickCase;
  readonly pool: TestPool;
  /** The strategy on each node. */
  readonly replicas: ReturnType<typeof createStickTableStrategy>[];
  /** Every request: the client, the node it went through, what HAProxy did, what the strategy did. */
  readonly steps: { what: string; node: number; real: Outcome; simulated: Outcome }[] = [];
  readonly #nodes: readonly Node[];
  readonly #gapMs: number;
  /** The replicas' tables as peers, null without. */
  readonly #peers: StickTablePeers | null;
  /** The requests and the changes made to the servers, in order, for the failure message. */
  readonly #log: string[] = [];
  /** Servers that refuse connections (moved to NOWHERE) while health checks would still pass. */
  readonly #refusing = new Set<number>();
  /** Cookie mode: each user's SID on the real side, and session number on the simulator's. */
  readonly #realSid = new Map<string, string>();
  readonly #session = new Map<string, number>();
  /** Cookie mode: the sessions each simulated backend holds. */
  readonly #held: Set<number>[];
  #nextSession = 0;

  /** `nodes`: the HAProxy processes, by default the suite's one; `gapMs`: the pause after each request. */
  constructor(c: StickCase, nodes: readonly Node[] = [{ port: c.port, socket }], gapMs = GAP_MS) {
    this.case = c;
    this.pool = pool(c.servers);
    this.#nodes = nodes;
    this.#gapMs = gapMs;
    const options = haproxyStickTable.options.parse(c.options);
    this.#peers = haproxyStickTable.shared!(options, nodes.length);
    this.replicas = nodes.map((_, index) => createStickTableStrategy(this.pool, options, { index, shared: this.#peers }));
    this.#held = Array.from({ length: c.servers }, () => new Set<number>());
  }

  /** A request from `client` (an IPv4 address; in cookie mode a user, from 10.0.0.1) through node `node`. */
  async send(client: string, node = 0): Promise<void> {
    const byCookie = this.case.options.on === "cookie";
    const address = byCookie ? "10.0.0.1" : client;
    const sid = this.#realSid.get(client);
    const session = this.#session.get(client) ?? -1;
    const strategy = this.replicas[node];
    const routedAt = clock();
    const view = request({ now: routedAt, address: ipv4(address), sessionKey: session, nextSessionKey: session < 0 ? this.#nextSession++ : -1 });
    let server = strategy.pick(view);
    if (this.#refusing.has(server) && strategy.redispatch) {
      view.excluded = server;
      server = strategy.pick(view);
    }
    const answer = await exchangeThroughProxy(this.#nodes[node].port, address, sourcePort++, sid);
    if (byCookie && answer.setSid !== undefined) this.#realSid.set(client, answer.setSid);
    let simulated: Outcome = server;
    if (server < 0 || this.#refusing.has(server)) simulated = "503";
    else {
      // The application starts the session (or starts it over) where it is not held, and sets the cookie.
      const id = session >= 0 ? session : view.nextSessionKey;
      const sets = !this.#held[server].has(id);
      if (sets) {
        this.#held[server].add(id);
        this.#session.set(client, id);
      }
      strategy.responded!(request({ now: clock(), address: ipv4(address), sessionKey: byCookie && sets ? id : -1 }), server, routedAt);
    }
    const step = { what: client, node, real: answer.backend >= 0 ? answer.backend : (`${answer.status}` as const), simulated };
    this.steps.push(step);
    const via = this.#nodes.length > 1 ? ` via node ${node}` : "";
    this.#log.push(`${client}${sid ? ` (SID ${sid})` : ""}${via}: real ${step.real}, simulated ${step.simulated}`);
    await sleep(this.#gapMs);
  }

  async sendAll(clients: string[], node = 0): Promise<void> {
    for (const client of clients) await this.send(client, node);
  }

  /** What HAProxy did with `client`'s requests through `node`, in order. */
  seen(client: string, node: number): Outcome[] {
    return this.steps.filter((s) => s.what === client && s.node === node).map((s) => s.real);
  }

  /** `set server <backend>/s<i+1> state <state>` on every node; the same change in the simulator's pool. */
  async state(server: number, state: "ready" | "drain" | "maint"): Promise<void> {
    await this.#command(`set server ${this.case.name}/s${server + 1} state ${state}`);
    this.pool.eligible[server] = state === "maint" ? 0 : 1;
    this.pool.accepting[server] = state === "ready" ? 1 : 0;
    for (const strategy of this.replicas) strategy.poolChanged?.("health");
    this.#log.push(`s${server + 1} ${state}`);
  }

  /** Moves the server where nothing listens (it refuses connections, still UP: no health checks), or back. */
  async refuse(server: number, refusing: boolean): Promise<void> {
    await this.#command(`set server ${this.case.name}/s${server + 1} addr ${refusing ? NOWHERE : backendHost(server)}`);
    if (refusing) this.#refusing.add(server);
    else this.#refusing.delete(server);
    this.#log.push(`s${server + 1} ${refusing ? "refuses connections" : "accepts connections"}`);
  }

  /** A runtime API command on every node. */
  async #command(command: string): Promise<void> {
    for (const node of this.#nodes) {
      const answer = await haproxyCommand(node.socket, command);
      expect(answer.trim(), command).not.toMatch(/unknown|invalid|require|denied|error/i);
    }
  }

  /** Node `node`'s table, [client, server index] sorted, as HAProxy's `show table` lists it and as the strategy's replica holds it. */
  async tables(node = 0): Promise<{ real: string[]; simulated: string[] }> {
    const listing = await haproxyCommand(this.#nodes[node].socket, `show table ${this.case.name}`);
    // The replicas apply updates when they next route; a listing should show what has arrived by now, as HAProxy's does.
    this.#peers?.deliver(clock());
    const real = [...listing.matchAll(/key=(\S+) .*?server_id=(\d+)/g)].map((m) => `${m[1]}:${Number(m[2]) - 1}`);
    const clientOf = new Map([...this.#session].map(([client, id]) => [id, this.#realSid.get(client) ?? `session ${id}`]));
    const simulated = this.replicas[node].table.entries().map(([key, server]) => {
      if (this.case.options.on !== "cookie") return `${[24, 16, 8, 0].map((b) => ((key >>> 0) >>> b) & 255).join(".")}:${server}`;
      return `${clientOf.get(key) ?? `session ${key}`}:${server}`;
    });
    return { real: real.sort(), simulated: simulated.sort() };
  }

  /** Every decision so far equal, and every node's table equal now. */
  async expectSame(): Promise<void> {
    const mismatches = this.steps.filter((s) => s.real !== s.simulated);
    const line = `${this.case.name}: ${this.steps.length - mismatches.length}/${this.steps.length} steps equal`;
    summary.push(line);
    expect(mismatches, `${line}\n${this.#log.join("\n")}`).toEqual([]);
    for (let node = 0; node < this.#nodes.length; node++) {
      const { real, simulated } = await this.tables(node);
      expect(simulated, `${this.case.name}: stick table of node ${node}`).toEqual(real);
    }
  }
}

const clients = (...n: number[]) => n.map((k) => `10.0.0.${k}`);

describe("real HAProxy stick tables", () => {
  it("stick on src: DRAIN keeps stuck clients, MAINT sends them elsewhere, and they stay there after it returns", async () => {
    const t = new Twin(byName("states"));
    await t.sendAll(clients(1, 2, 3, 4, 5, 6, 1, 2, 3));
    await t.state(1, "drain");
    await t.sendAll(clients(2, 5, 7, 8, 9));
    await t.state(1, "maint");
    await t.sendAll(clients(2, 5, 10, 1, 3));
    await t.state(1, "ready");
    await t.sendAll(clients(2, 5, 1, 3, 4, 6, 7, 8, 9, 10));
    // s2's clients stayed on it while it drained, went elsewhere in MAINT, and stayed there after it returned.
    for (const client of clients(2, 5)) {
      const seen = t.seen(client, 0);
      expect(seen.slice(0, -2).every((s) => s === 1) && seen.at(-1) === seen.at(-2) && seen.at(-1) !== 1, `${client}: ${seen}`).toBe(true);
    }
    await t.expectSame();
  });

  it("expire: a client touched within the expiry stays, one idle past it is balanced afresh", async () => {
    const t = new Twin(byName("expiry"));
    await t.sendAll(clients(1, 2, 3));
    await sleep(1_000);
    await t.send("10.0.0.1"); // refreshes 1's entry
    await sleep(1_500); // 2 and 3 idle for 2.5 s, past the 2 s expiry; 1 for 1.5 s
    await t.sendAll(clients(1, 2, 3, 4));
    expect(t.steps.map((s) => s.real)).toEqual([0, 1, 2, 0, 0, 0, 1, 2]);
    await t.expectSame();
  });

  it("size: a full table purges its oldest entries, or refuses the store, exactly as HAProxy 2.6 does", async () => {
    const t = new Twin(byName("full"));
    // Hits on a full table, new clients, hits on stale entries, in a fixed pseudo-random order after a hand-picked start.
    const order = [1, 2, 3, 4, 1, 2, 5, 6, 1, 7, 8, 9];
    for (let k = 0, x = 7; k < 40; k++) order.push(1 + ((x = (x * 1103515245 + 12345) % 2 ** 31) % 9));
    for (const n of order) {
      await t.send(`10.0.0.${n}`);
      const { real, simulated } = await t.tables();
      expect(simulated, `after ${t.steps.length} requests`).toEqual(real);
    }
    await t.expectSame();
  });

  it("nopurge: a full table stores nothing more; new clients are balanced on every request", async () => {
    const t = new Twin(byName("nopurge"));
    await t.sendAll(clients(1, 2, 3, 4, 5, 6, 5, 6, 1, 2));
    expect(t.steps.map((s) => s.real)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 0, 1]);
    await t.expectSame();
  });

  it("option redispatch: a server that refuses connections sends its clients elsewhere, and the entry is rebound", async () => {
    const t = new Twin(byName("redispatch"));
    await t.sendAll(clients(1, 2, 3));
    await t.refuse(2, true);
    await t.sendAll(clients(3, 4, 5, 6, 3));
    await t.refuse(2, false);
    await t.sendAll(clients(3, 7, 5, 1));
    await t.expectSame();
  });

  it("without redispatch: the request fails and the entry keeps its server", async () => {
    const t = new Twin(byName("refused"));
    await t.sendAll(clients(1, 2, 3));
    await t.refuse(2, true);
    await t.send("10.0.0.3");
    await t.refuse(2, false);
    await t.sendAll(clients(3, 4));
    expect(t.steps.map((s) => s.real)).toEqual([0, 1, 2, "503", 2, 0]);
    await t.expectSame();
  });

  it("stick match req.cook(SID) + store-response res.cook(SID): learned only from responses that set the cookie; a match refreshes", async () => {
    const t = new Twin(byName("cookie"));
    await t.sendAll(["u1", "u2", "u3", "u4", "u1", "u2", "u3", "u4"]);
    await sleep(600);
    await t.send("u1"); // a match: refreshed, though nothing is stored
    await sleep(600);
    // u1 is still stuck; the others' entries expired: each is balanced, and learned again only
    // where a server without its session starts it over (and sets the cookie).
    await t.sendAll(["u1", "u3", "u2", "u4", "u4"]);
    await t.state(1, "maint");
    await t.sendAll(["u3", "u1", "u5", "u3", "u5"]);
    // u4's first balanced request reached the server holding its session: no cookie set, nothing learned, so the next one was balanced again.
    const u4 = t.seen("u4", 0);
    expect(u4.at(-1), `u4: ${u4}`).not.toBe(u4.at(-2));
    await t.expectSame();
  });
});

/** The two nodes of the peers cases: HAProxy processes named `a` and `b` (`-L`), each taking the other's updates on a port of its own. */
const peerCases: StickCase[] = [
  { name: "peers_src", servers: 3, options: { size: 100, peers: true }, port: 0 },
  { name: "peers_cookie", servers: 3, options: { on: "cookie", size: 100, expire: 1, peers: true }, port: 0 },
];
const peerNodes: PeerNode[] = [{ name: "a", peerPort: 0 }, { name: "b", peerPort: 0 }];
/** Each node's listener for each peers case. */
const peerListeners: number[][] = [];
const peerProcesses: Running[] = [];

/** How long a peer link must have been up before the peers cases start (see waitForPeers). */
const PEER_LINK_SETTLED_S = 2;

/**
 * Waits until the node's `show peers` lists its remote peer as connected and active, its last
 * handshake PEER_LINK_SETTLED_S ago or more. Both nodes connect to each other as they start; about a
 * second later one of the two links is dropped (`coll`) and the peers reconnect, resyncing their
 * tables, which would lose or reorder updates sent meanwhile. The link that follows stays up.
 */
async function waitForPeers(node: PeerNode): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const listing = await haproxyCommand(join(dir, `${node.name}.sock`), "show peers");
    const link = /id=\w+\(remote,active\) addr=\S+ last_status=ESTA last_hdshk=(\d+)s/.exec(listing);
    if (link && Number(link[1]) >= PEER_LINK_SETTLED_S) return;
    if (Date.now() > deadline) throw new Error(`HAProxy ${node.name}: the peer link did not settle\n${listing}`);
    await sleep(100);
  }
}

describe("real HAProxy peers", () => {
  beforeAll(async () => {
    const ports = await freePorts(peerNodes.length * (peerCases.length + 1));
    peerNodes.forEach((n, k) => {
      n.peerPort = ports[k];
      peerListeners.push(peerCases.map((_, c) => ports[peerNodes.length + k * peerCases.length + c]));
    });
    for (const [k, node] of peerNodes.entries()) {
      const cfg = join(dir, `${node.name}.cfg`);
      const cases = peerCases.map((c, i) => ({ ...c, port: peerListeners[k][i] }));
      writeFileSync(cfg, haproxyPeersCfg(cases, dir, backends!.port, peerNodes, node));
      peerProcesses.push(await startProgram(`haproxy ${node.name}`, program!, ["-db", "-f", cfg, "-L", node.name], [...peerListeners[k], node.peerPort]));
    }
    await Promise.all(peerNodes.map(waitForPeers));
  });

  afterAll(async () => {
    for (const p of peerProcesses) await p.stop();
  });

  /** The twin of peers case `name`, through both nodes. */
  const twin = (name: string) => {
    const k = peerCases.findIndex((c) => c.name === name);
    const nodes = peerNodes.map((n, i) => ({ port: peerListeners[i][k], socket: join(dir, `${n.name}.sock`) }));
    return new Twin(peerCases[k], nodes, PEER_GAP_MS);
  };
  const A = 0, B = 1;

  it("stick on src: a client balanced by one node sticks on the other, whichever stored it; each node balances with its own round robin", async () => {
    const t = twin("peers_src");
    await t.sendAll(clients(1, 2, 3, 4), A);
    await t.sendAll(clients(1, 2, 3, 4), B);
    await t.sendAll(clients(5, 6), B); // B's round robin starts at s1
    await t.sendAll(clients(5, 6, 7), A); // learned from B: not A's next turns (s2, s3)
    await t.sendAll(clients(7, 1), B);
    expect(t.seen("10.0.0.5", A), "a store on B, seen by A").toEqual(t.seen("10.0.0.5", B));
    expect(t.steps.map((s) => s.real)).toEqual([0, 1, 2, 0, 0, 1, 2, 0, 0, 1, 0, 1, 1, 1, 0]);
    await t.expectSame();
  });

  it("a match on one node, though it stores nothing, keeps the entry alive on the other (learned cookie, expire 1 s)", async () => {
    const t = twin("peers_cookie");
    await t.sendAll(["u1", "u2"], A); // s1, s2: each response sets SID, stored on A and sent to B
    await t.send("u4", B); // B's round robin: s1
    await t.send("u4", A); // learned from B (A's next turn would be s3)
    await t.send("u3", A); // s3
    for (let k = 0; k < 3; k++) {
      await sleep(400);
      await t.send("u3", A); // a match: refreshed on A, and on B
    }
    // u3's store is over 1.3 s old, past the expiry; A's matches kept it alive on B. u1's entry,
    // stored earlier and never matched, expired on both.
    await t.sendAll(["u3", "u1"], B);
    expect(t.seen("u3", B)).toEqual([2]);
    expect(t.seen("u1", B)).toEqual([1]); // balanced: B's round robin's next turn, s2
    expect(t.seen("u4", A)).toEqual([0]);
    await t.expectSame();
  });
});
