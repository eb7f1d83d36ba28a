// Processes, backends and PROXY-protocol requests for the live conformance suite. Everything
// listens on and connects to 127.0.0.0/8 only; every process started here is stopped by its id.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo } from "node:net";
import { delimiter, join } from "node:path";

/** How long one request may take before the suite gives up on it. */
const REQUEST_TIMEOUT_MS = 5_000;
/** How long nginx or HAProxy may take to start listening. */
const START_TIMEOUT_MS = 15_000;

/** The path of a program in PATH or the sbin folders (where Debian puts nginx and haproxy), or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `count` distinct free TCP ports on 127.0.0.1, found by binding port 0. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createTcpServer>>((resolve, reject) => {
      const s = createTcpServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Small HTTP backends on 127.0.1.1.., one port for all; each answers with its 0-based index. */
export interface Backends {
  port: number;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** The first port to try, and how many after it. */
  firstPort?: number;
  attempts?: number;
  /** Milliseconds each backend waits before it answers. */
  delayMs?: number;
  /**
   * Each backend keeps application sessions in its own memory, named by the `SID` cookie: a request
   * without one, or whose session the backend does not hold (started elsewhere), starts a session
   * there, under the same id when it had one, and the response sets `SID`; a session the backend
   * holds is answered without Set-Cookie. New ids are `sid<n>`, numbered across the backends.
   */
  sessions?: boolean;
}

/**
 * Starts `count` backends on 127.0.1.1..127.0.1.count at the first port from `firstPort` (default
 * 8080) free on all of them. Each answers `X-Backend: <index>` and `X-Client: <client address the
 * balancer forwarded>`.
 */
export async function startBackends(count: number, options: BackendOptions = {}): Promise<Backends> {
  const { firstPort = 8080, attempts = 20, delayMs = 0, sessions = false } = options;
  let issued = 0;
  for (let port = firstPort; port < firstPort + attempts; port++) {
    const servers: Server[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const held = new Set<string>();
        const server = createServer((req, res) => {
          const client = req.headers["x-real-ip"] ?? req.headers["x-forwarded-for"] ?? "";
          const headers: Record<string, string> = { "content-type": "text/plain", "x-backend": String(i), "x-client": String(client) };
          if (sessions) {
            const sid = /(?:^|;\s*)SID=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
            if (sid === undefined || !held.has(sid)) {
              const id = sid ?? `sid${issued++}`;
              held.add(id);
              headers["set-cookie"] = `SID=${id}; Path=/`;
            }
          }
          setTimeout(() => {
            res.writeHead(200, headers);
            res.end(`${i}\n`);
          }, delayMs);
        });
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, `127.0.1.${i + 1}`, () => resolve());
        });
      }
      return { port, close: () => closeAll(servers) };
    } catch (error) {
      await closeAll(servers.filter((s) => s.listening));
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  throw new Error(`no port from ${firstPort} to ${firstPort + attempts - 1} is free on 127.0.1.1..127.0.1.${count}`);
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
}

/** A balancer process started by the suite, in its own process group. */
export interface Running {
  name: string;
  pid: number;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// If the test process ends without afterAll (a crash), take the balancers down with it.
process.once("exit", () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `program` in its own process group (so its workers can be stopped with it, by its id)
 * and waits until every port in `ports` on 127.0.0.1 accepts connections. On failure it stops the
 * process and throws with its output and the tail of `logFile` (where it logs, if not on stderr).
 */
export async function startProgram(name: string, program: string, args: string[], ports: number[], logFile?: string): Promise<Running> {
  const child = spawn(program, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", (code, signal) => {
    exitCode = code ?? (signal ? -1 : null);
    running.delete(child);
    resolve();
  }));
  child.once("error", (e) => (spawnError = e));

  const handle: Running = {
    name,
    pid: child.pid ?? -1,
    output: () => output,
    exited: () => exitCode !== undefined,
    async stop() {
      if (exitCode !== undefined || child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  const pending = new Set(ports);
  while (pending.size > 0) {
    if (spawnError || exitCode !== undefined || Date.now() > deadline) {
      await handle.stop();
      const log = logFile && existsSync(logFile) ? `\n--- ${logFile} ---\n${readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n")}` : "";
      const why = spawnError ? `could not start: ${spawnError.message}` : exitCode !== undefined ? `exited with code ${exitCode}` : `did not listen on ${[...pending].join(", ")} within ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`${name} ${why}\n--- output ---\n${output}${log}`);
    }
    for (const port of [...pending]) if (await accepts(port)) pending.delete(port);
    if (pending.size > 0) await sleep(50);
  }
  return handle;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(500);
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => { socket.destroy(); resolve(false); });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a balancer did with one request: the backend index that answered and the client address it forwarded. */
export interface Answer {
  backend: number;
  client: string;
}

/** A balancer's answer to one request: its status, the backend index that answered (-1: none), the client address it forwarded, and the `SID` cookie the response set (undefined: none). */
export interface Exchange extends Answer {
  status: number;
  setSid: string | undefined;
  /** The response's status line and headers. */
  head: string;
}

/**
 * One HTTP request to 127.0.0.1:`port` opened with a PROXY protocol v1 header claiming the
 * connection comes from `client`, carrying `Cookie: SID=<sid>` when `sid` is given. Resolves with
 * whatever the balancer answered, rejects on timeout or a connection error.
 */
export function exchangeThroughProxy(port: number, client: string, sourcePort: number, sid?: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const cookie = sid === undefined ? "" : `Cookie: SID=${sid}\r\n`;
    socket.setTimeout(REQUEST_TIMEOUT_MS);
    socket.once("connect", () => {
      socket.write(`PROXY TCP4 ${client} 127.0.0.1 ${sourcePort} ${port}\r\nGET / HTTP/1.1\r\nHost: lbsim\r\n${cookie}Connection: close\r\n\r\n`);
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.once("timeout", () => { socket.destroy(); reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms from 127.0.0.1:${port} for ${client}`)); });
    socket.once("error", reject);
    socket.once("close", () => {
      const head = Buffer.concat(chunks).toString("latin1").split("\r\n\r\n", 1)[0];
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      const backend = /^x-backend: *(\d+)\s*$/im.exec(head);
      const forwarded = /^x-client: *(\S*)\s*$/im.exec(head);
      const setSid = /^set-cookie: *SID=([^;\r\n]+)/im.exec(head);
      resolve({ status: status ? Number(status[1]) : 0, backend: backend ? Number(backend[1]) : -1, client: forwarded?.[1] ?? "", setSid: setSid?.[1], head });
    });
  });
}

/**
 * One request as `exchangeThroughProxy` sends it, without a cookie. Resolves with the answering
 * backend, rejects on timeout or a response that did not come from a backend.
 */
export async function askThroughProxy(port: number, client: string, sourcePort: number): Promise<Answer> {
  const answer = await exchangeThroughProxy(port, client, sourcePort);
  if (answer.backend < 0) throw new Error(`127.0.0.1:${port} answered ${client} without a backend: ${JSON.stringify(answer.head.slice(0, 200))}`);
  return { backend: answer.backend, client: answer.client };
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Sends one command to HAProxy's stats socket and returns the answer: to wait until a health check
 * has taken a server down, to set a server's state or address, to list a stick table.
 */
export function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    let answer = "";
    socket.setTimeout(REQUEST_TIMEOUT_MS);
    socket.once("connect", () => socket.write(`${command}\n`));
    socket.on("data", (d) => (answer += d));
    socket.once("timeout", () => { socket.destroy(); reject(new Error(`HAProxy stats socket did not answer ${JSON.stringify(command)}`)); });
    socket.once("error", reject);
    socket.once("close", () => resolve(answer));
  });
}
