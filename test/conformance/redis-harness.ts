// A real redis-server for the live conformance suite: its configuration, start and SIGKILL by
// process id (through harness.ts, whose exit hook also stops it), a RESP2 client over node:net,
// and a writer that SETs session keys at a steady rate. Everything on 127.0.0.1.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sleep, startProgram, type Running } from "./harness.js";

/** How long one command may take before the suite gives up on it. */
const COMMAND_TIMEOUT_MS = 10_000;
/** How long Redis may take to load its data set after a restart. */
const LOAD_TIMEOUT_MS = 15_000;

/** A RESP2 reply: simple string, integer, bulk string (null when absent), array, or an error. */
export type Reply = string | number | null | Reply[] | RedisError;

export class RedisError extends Error {}

/**
 * A RESP2 client (the protocol of redis.io/docs/latest/develop/reference/protocol-spec/):
 * commands are pipelined on one connection and answered in order.
 */
export class Resp {
  readonly #socket: Socket;
  readonly #pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #closed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => this.#receive(d));
    const fail = (e: Error) => {
      this.#closed ??= e;
      for (const p of this.#pending.splice(0)) p.reject(e);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection to Redis closed")));
  }

  static open(port: number): Promise<Resp> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.setTimeout(COMMAND_TIMEOUT_MS);
      socket.once("timeout", () => socket.destroy(new Error(`Redis on 127.0.0.1:${port} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`)));
      socket.once("connect", () => resolve(new Resp(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends one command; resolves with its reply (a Redis error reply resolves as a RedisError). */
  send(...args: (string | number)[]): Promise<Reply> {
    if (this.#closed) return Promise.reject(this.#closed);
    const parts = args.map(String);
    this.#socket.write(`*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  /** Like send, but an error reply rejects. */
  async call(...args: (string | number)[]): Promise<Reply> {
    const r = await this.send(...args);
    if (r instanceof RedisError) throw new Error(`Redis ${args.slice(0, 2).join(" ")}: ${r.message}`);
    return r;
  }

  close(): void {
    this.#closed ??= new Error("connection closed by the suite");
    this.#socket.destroy();
  }

  #receive(data: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    let at = 0;
    for (;;) {
      const parsed = parseReply(this.#buffer, at);
      if (!parsed) break;
      at = parsed.end;
      this.#pending.shift()?.resolve(parsed.reply);
    }
    this.#buffer = this.#buffer.subarray(at);
  }
}

/** One reply starting at `at`, or undefined when `buffer` does not hold all of it yet. */
function parseReply(buffer: Buffer, at: number): { reply: Reply; end: number } | undefined {
  const eol = buffer.indexOf("\r\n", at);
  if (eol < 0) return undefined;
  const line = buffer.toString("latin1", at + 1, eol);
  switch (buffer[at]) {
    case 0x2b: // +
      return { reply: line, end: eol + 2 };
    case 0x2d: // -
      return { reply: new RedisError(line), end: eol + 2 };
    case 0x3a: // :
      return { reply: Number(line), end: eol + 2 };
    case 0x24: { // $
      const n = Number(line);
      if (n < 0) return { reply: null, end: eol + 2 };
      if (buffer.length < eol + 2 + n + 2) return undefined;
      return { reply: buffer.toString("utf8", eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return { reply: null, end: eol + 2 };
      const items: Reply[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buffer, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buffer.toString("latin1", at, Math.min(buffer.length, at + 40)))}`);
  }
}

/** The fields of an INFO reply ("name:value" lines). */
export async function info(client: Resp, section: string): Promise<Record<string, string>> {
  const text = String(await client.call("INFO", section));
  return Object.fromEntries(text.split("\r\n").filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
}

/**
 * A redis.conf (redis.conf documents every directive) for a server that listens only on
 * 127.0.0.1:`port`, keeps its files in `dir` and logs to its stdout; `extra` adds the
 * persistence or memory directives of a case.
 */
export function redisConf(port: number, dir: string, extra: string[]): string {
  return [
    "bind 127.0.0.1",
    `port ${port}`,
    "tls-port 0",
    "unixsocket \"\"",
    "daemonize no",
    "supervised no",
    "protected-mode yes",
    "logfile \"\"",
    "loglevel notice",
    "always-show-logo no",
    "databases 1",
    `dir ${dir}`,
    "dbfilename dump.rdb",
    // serverCron, which checks the save points and retries postponed AOF writes, runs hz times a second.
    "hz 10",
    ...extra,
    "",
  ].join("\n");
}

/** A redis-server the suite started. */
export interface RedisServer {
  running: Running;
  port: number;
  /** performance.now() just before the process was spawned: Redis takes its start as its last save (src/server.c initServer). */
  startedAt: number;
}

/**
 * Starts `program` on `conf` (written to `dir`/redis.conf), waits until it listens on `port` and
 * has loaded its data set (INFO persistence `loading:0`).
 */
export async function startRedis(program: string, dir: string, port: number, conf: string): Promise<RedisServer> {
  const file = join(dir, "redis.conf");
  writeFileSync(file, conf);
  const startedAt = performance.now();
  const running = await startProgram("redis-server", program, [file], [port]);
  try {
    const client = await Resp.open(port);
    try {
      const deadline = Date.now() + LOAD_TIMEOUT_MS;
      while ((await info(client, "persistence")).loading !== "0") {
        if (Date.now() > deadline) throw new Error(`redis-server still loading after ${LOAD_TIMEOUT_MS / 1000} s\n${running.output()}`);
        await sleep(10);
      }
    } finally {
      client.close();
    }
  } catch (error) {
    await running.stop();
    throw error;
  }
  return { running, port, startedAt };
}

/** Kills the server with SIGKILL (a crash: no shutdown save, no final AOF fsync) and waits until it is gone. */
export async function killRedis(server: RedisServer): Promise<void> {
  try {
    process.kill(-server.running.pid, "SIGKILL");
  } catch {
    // already gone
  }
  const deadline = Date.now() + 5_000;
  while (!server.running.exited()) {
    if (Date.now() > deadline) throw new Error(`redis-server (pid ${server.running.pid}) still running 5 s after SIGKILL`);
    await sleep(5);
  }
}

/** One SET of the writer: key index, when it was sent and when Redis acknowledged it (ms, performance.now()). */
export interface Write {
  index: number;
  sentAt: number;
  ackedAt: number;
}

/**
 * Sends `SET sess:<i> <value> EX 3600` at `rate` a second, paced by a timer every `tickMs`
 * against the ideal schedule (write i at `startAt` + i / rate, so timer lateness does not drift
 * the rate), until stop() or until the connection fails (the kill). Keeps every write's send and
 * acknowledgement time.
 */
export function startWriter(client: Resp, rate: number, startAt: number, value: (i: number) => string, tickMs = 5) {
  const writes: Write[] = [];
  let next = 0;
  let stopped = false;
  let failed = false;
  const tick = () => {
    if (stopped || failed) return;
    const due = Math.floor(((performance.now() - startAt) * rate) / 1000) + 1;
    for (; next < due; next++) {
      const w: Write = { index: next, sentAt: performance.now(), ackedAt: NaN };
      writes.push(w);
      client.send("SET", sessionKey(next), value(next), "EX", 3600).then(
        (r) => { if (r === "OK") w.ackedAt = performance.now(); },
        () => { failed = true; },
      );
    }
    timer = setTimeout(tick, tickMs);
  };
  let timer = setTimeout(tick, Math.max(0, startAt - performance.now()));
  return {
    writes,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export const sessionKey = (i: number) => `sess:${i}`;

/** Which of `indices` are present in Redis with the value `value(i)`, asked with MGET in chunks. */
export async function present(client: Resp, indices: number[], value: (i: number) => string): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let k = 0; k < indices.length; k += 500) {
    const chunk = indices.slice(k, k + 500);
    const values = (await client.call("MGET", ...chunk.map(sessionKey))) as (string | null)[];
    chunk.forEach((i, j) => out.push(values[j] === value(i)));
  }
  return out;
}

/** Sends one command per item, at most `window` unanswered at a time (a long pipeline would count against maxmemory as query buffer); the replies in order. */
export async function pipelined<T>(client: Resp, items: readonly T[], command: (item: T) => (string | number)[], window = 16): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let k = 0; k < items.length; k += window)
    replies.push(...(await Promise.all(items.slice(k, k + window).map((item) => client.call(...command(item))))));
  return replies;
}

/** `redis-server --version`, for the log. */
export function redisVersion(program: string): string {
  const r = spawnSync(program, ["--version"], { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
}
