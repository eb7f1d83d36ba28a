// Live conformance: a real HAProxy with stick tables (`stick on src`, or a learned SID cookie)
// against `haproxy-stick-table`. Each request goes to HAProxy (client address set with the PROXY
// protocol) and, at the same wall-clock times, to the simulator's strategy, which learns from the
// response as HAProxy does; server states are changed on both through HAProxy's runtime API. Every
// decision and the table's contents (`show table`) must be the same. Backends answer after 5 ms,
// so HAProxy's millisecond clock always moves between a request and its response, as it does
// when a server works. Run with `npm run test:conformance`; needs haproxy (Debian 12: 2.6.12).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStickTableStrategy, haproxyStickTable } from "../../sim/strategies/haproxy-stick-table.js";
import { ipv4, pool, request, type TestPool } from "../helpers.js";
import { backendHost, haproxyStickCfg, type StickCase } from "./configs.js";
import { exchangeThroughProxy, findProgram, freePorts, haproxyCommand, sleep, startBackends, startProgram, type Backends, type Running } from "./harness.js";

/** How long each backend takes to answer. */
const DELAY_MS = 5;
/** A pause between requests, so no two of them fall in one of HAProxy's milliseconds. */
const GAP_MS = 15;
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

/**
 * One HAProxy backend and the simulator's strategy side by side. A client is an address
 * (`stick on src`) or, in cookie mode, a user whose SID cookie both sides learn from their
 * responses; the strategy's side of the application behaves as the backends do (startBackends'
 * `sessions`).
 */
class Twin {
  readonly case: StickCase;
  readonly pool: TestPool;
  readonly strategy: ReturnType<typeof createStickTableStrategy>;
  /** Every request: the client, what HAProxy did, what the strategy did. */
  readonly steps: { what: string; real: Outcome; simulated: Outcome }[] = [];
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

  constructor(c: StickCase) {
    this.case = c;
    this.pool = pool(c.servers);
    this.strategy = createStickTableStrategy(this.pool, haproxyStickTable.options.parse(c.options));
    this.#held = Array.from({ length: c.servers }, () => new Set<number>());
  }

  /** A request from `client` (an IPv4 address; in cookie mode a user, from 10.0.0.1). */
  async send(client: string): Promise<void> {
    const byCookie = this.case.options.on === "cookie";
    const address = byCookie ? "10.0.0.1" : client;
    const sid = this.#realSid.get(client);
    const session = this.#session.get(client) ?? -1;
    const routedAt = clock();
    const view = request({ now: routedAt, address: ipv4(address), sessionKey: session, nextSessionKey: session < 0 ? this.#nextSession++ : -1 });
    let server = this.strategy.pick(view);
    if (this.#refusing.has(server) && this.strategy.redispatch) {
      view.excluded = server;
      server = this.strategy.pick(view);
    }
    const answer = await exchangeThroughProxy(this.case.port, address, sourcePort++, sid);
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
      this.strategy.responded!(request({ now: clock(), address: ipv4(address), sessionKey: byCookie && sets ? id : -1 }), server, routedAt);
    }
    const step = { what: client, real: answer.backend >= 0 ? answer.backend : (`${answer.status}` as const), simulated };
    this.steps.push(step);
    this.#log.push(`${client}${sid ? ` (SID ${sid})` : ""}: real ${step.real}, simulated ${step.simulated}`);
    await sleep(GAP_MS);
  }

  async sendAll(clients: string[]): Promise<void> {
    for (const client of clients) await this.send(client);
  }

  /** `set server <backend>/s<i+1> state <state>` on HAProxy; the same change in the simulator's pool. */
  async state(server: number, state: "ready" | "drain" | "maint"): Promise<void> {
    await this.#command(`set server ${this.case.name}/s${server + 1} state ${state}`);
    this.pool.eligible[server] = state === "maint" ? 0 : 1;
    this.pool.accepting[server] = state === "ready" ? 1 : 0;
    this.strategy.poolChanged?.("health");
    this.#log.push(`s${server + 1} ${state}`);
  }

  /** Moves the server where nothing listens (it refuses connections, still UP: no health checks), or back. */
  async refuse(server: number, refusing: boolean): Promise<void> {
    await this.#command(`set server ${this.case.name}/s${server + 1} addr ${refusing ? NOWHERE : backendHost(server)}`);
    if (refusing) this.#refusing.add(server);
    else this.#refusing.delete(server);
    this.#log.push(`s${server + 1} ${refusing ? "refuses connections" : "accepts connections"}`);
  }

  async #command(command: string): Promise<void> {
    const answer = await haproxyCommand(socket, command);
    expect(answer.trim(), command).not.toMatch(/unknown|invalid|require|denied|error/i);
  }

  /** The table's entries, [client, server index] sorted, as HAProxy's `show table` lists them and as the strategy holds them. */
  async tables(): Promise<{ real: string[]; simulated: string[] }> {
    const listing = await haproxyCommand(socket, `show table ${this.case.name}`);
    const real = [...listing.matchAll(/key=(\S+) .*?server_id=(\d+)/g)].map((m) => `${m[1]}:${Number(m[2]) - 1}`);
    const clientOf = new Map([...this.#session].map(([client, id]) => [id, this.#realSid.get(client) ?? `session ${id}`]));
    const simulated = this.strategy.table.entries().map(([key, server]) => {
      if (this.case.options.on !== "cookie") return `${[24, 16, 8, 0].map((b) => ((key >>> 0) >>> b) & 255).join(".")}:${server}`;
      return `${clientOf.get(key) ?? `session ${key}`}:${server}`;
    });
    return { real: real.sort(), simulated: simulated.sort() };
  }

  /** Every decision so far equal, and the tables equal now. */
  async expectSame(): Promise<void> {
    const mismatches = this.steps.filter((s) => s.real !== s.simulated);
    const line = `${this.case.name}: ${this.steps.length - mismatches.length}/${this.steps.length} steps equal`;
    summary.push(line);
    expect(mismatches, `${line}\n${this.#log.join("\n")}`).toEqual([]);
    const { real, simulated } = await this.tables();
    expect(simulated, `${this.case.name}: stick table`).toEqual(real);
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
      const seen = t.steps.filter((s) => s.what === client).map((s) => s.real);
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
    const u4 = t.steps.filter((s) => s.what === "u4").map((s) => s.real);
    expect(u4.at(-1), `u4: ${u4}`).not.toBe(u4.at(-2));
    await t.expectSame();
  });
});
