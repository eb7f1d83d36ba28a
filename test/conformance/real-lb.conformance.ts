// Live conformance: real nginx and HAProxy route client addresses (sent with the PROXY protocol)
// to small Node backends on loopback, and every decision must equal the simulator strategy's
// (sim/route.ts, the library behind `lbsim route`). Run with `npm run test:conformance`; needs
// the nginx and haproxy programs (Debian 12: nginx 1.22.1, HAProxy 2.6.12, as in the recordings
// of test/fixtures/real-lb). Not part of `npm test`.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeKeys } from "../../sim/route.js";
import { findStrategy, strategies } from "../../sim/strategies/index.js";
import { caseLabel, haproxyBackend, haproxyCfg, liveCases, nginxConf, serverKeys, type LiveCase, type Product } from "./configs.js";
import { askThroughProxy, findProgram, freePorts, haproxyCommand, mapLimit, sleep, startBackends, startProgram, type Answer, type Backends, type Running } from "./harness.js";

/** Addresses per case: 300 spread evenly over ips.txt (its /24 and /16 clusters included), plus the addresses of the unit tests' hand-worked vectors. */
const SAMPLE = 300;
const EXTRA = ["10.0.0.7", "192.168.1.10", "192.168.1.11", "192.168.1.77", "203.0.113.7", "10.0.1.1", "0.0.0.1", "255.255.255.254"];
/** Requests in flight at once. */
const CONCURRENCY = 32;
/** How long the health check may take to mark a HAProxy server down (it checks every 100 ms). */
const DOWN_TIMEOUT_MS = 10_000;

const ips = readFileSync(new URL("../fixtures/real-lb/ips.txt", import.meta.url), "utf8").trim().split("\n");
const addresses = [...Array.from({ length: SAMPLE }, (_, k) => ips[Math.floor((k * ips.length) / SAMPLE)]), ...EXTRA];

const cases = liveCases();
const byProduct = (p: Product) => cases.filter((c) => c.product === p);
const summary: string[] = [];

let dir = "";
let backends: Backends | undefined;
const processes: Running[] = [];
const missing = (["nginx", "haproxy"] as const).filter((p) => findProgram(p) === undefined);

beforeAll(async () => {
  if (missing.length > 0)
    throw new Error(
      `${missing.join(" and ")} not found in PATH or /usr/sbin: the live conformance suite runs the real programs. ` +
        "Install them (Debian 12: apt-get install nginx haproxy, which .ci/run does) and run again.",
    );
  dir = mkdtempSync(join(tmpdir(), "lbsim-conformance-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "tmp", sub), { recursive: true });
  backends = await startBackends(Math.max(...cases.map((c) => c.weights.length)));
  const ports = await freePorts(cases.length);
  cases.forEach((c, k) => (c.port = ports[k]));
});

afterAll(async () => {
  // Stop everything started, by id, even when a test or a start failed.
  await Promise.all(processes.map((p) => p.stop()));
  await backends?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (summary.length > 0) console.log(`live conformance:\n${summary.map((s) => `  ${s}`).join("\n")}`);
});

describe.each(["nginx", "haproxy"] as const)("real %s", (product) => {
  const own = byProduct(product);

  beforeAll(async () => {
    if (missing.length > 0) return; // the file's beforeAll has already failed with the reason
    const program = findProgram(product)!;
    console.log(`${product}: ${version(program)}`);
    if (product === "nginx") {
      const conf = join(dir, "nginx.conf");
      writeFileSync(conf, nginxConf(own, dir, backends!.port));
      processes.push(await startProgram("nginx", program, ["-p", `${dir}/`, "-e", join(dir, "nginx-error.log"), "-c", conf, "-g", "daemon off;"], own.map((c) => c.port), join(dir, "nginx-error.log")));
    } else {
      const cfg = join(dir, "haproxy.cfg");
      writeFileSync(cfg, haproxyCfg(own, dir, backends!.port));
      processes.push(await startProgram("haproxy", program, ["-db", "-f", cfg], own.map((c) => c.port)));
      await waitForHealthChecks(own, join(dir, "haproxy.sock"));
    }
  });

  for (const c of own) {
    it(`${caseLabel(c)}: every decision equals the simulator's`, async () => {
      const keys = serverKeys(c, backends!.port);
      const answers = await mapLimit(addresses, CONCURRENCY, (client, i) => askThroughProxy(c.port, client, 10_000 + i));
      expectClientsArrived(answers);
      // Every eligible backend answers some of these addresses and a down one none, so a harness
      // that always reached one backend could not pass.
      const eligible = c.weights.map((_, i) => i).filter((i) => !c.down.includes(i));
      expect([...new Set(answers.map((a) => a.backend))].sort((a, b) => a - b), "backends that answered").toEqual(eligible);
      if (!findStrategy(c.strategy)) {
        summary.push(`${caseLabel(c)}: not registered in the simulator`);
        throw new Error(
          `strategy ${c.strategy} is not registered in sim/strategies/index.ts (known: ${strategies.map((s) => s.id).join(", ")}); ` +
            `real ${product} answered all ${answers.length} requests, nothing to compare them with`,
        );
      }
      const expected = routeKeys(c.strategy, keys, c.weights, c.down, addresses);
      const mismatches = addresses
        .map((a, i) => ({ address: a, real: answers[i].backend, simulated: expected[i].index }))
        .filter((m) => m.real !== m.simulated);
      const line = `${caseLabel(c)}: matched ${addresses.length - mismatches.length}/${addresses.length}`;
      summary.push(line);
      console.log(line);
      expect(mismatches.slice(0, 10), `${line}; first mismatches (servers ${keys.join(" ")})`).toEqual([]);
    });
  }
});

/** Every request must have reached a backend with the address we claimed, or PROXY protocol was not applied. */
function expectClientsArrived(answers: Answer[]): void {
  const wrong = answers.map((a, i) => ({ sent: addresses[i], forwarded: a.client })).filter((x) => x.sent !== x.forwarded);
  expect(wrong.slice(0, 5), "the backend must see the client address sent in the PROXY header").toEqual([]);
}

/** Waits until HAProxy's health checks have taken every `down` server out (status DOWN in `show stat`). */
async function waitForHealthChecks(own: LiveCase[], socket: string): Promise<void> {
  const want = own.flatMap((c, k) => c.down.map((d) => `${haproxyBackend(k)},s${d + 1}`));
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  for (;;) {
    const stat = await haproxyCommand(socket, "show stat");
    const down = new Set(stat.split("\n").filter((l) => l.split(",")[17]?.startsWith("DOWN")).map((l) => l.split(",").slice(0, 2).join(",")));
    if (want.every((w) => down.has(w))) return;
    if (Date.now() > deadline) throw new Error(`HAProxy health checks did not mark ${want.filter((w) => !down.has(w)).join(" ")} down within ${DOWN_TIMEOUT_MS / 1000} s:\n${stat}`);
    await sleep(100);
  }
}

/** The first line `program -v` prints (nginx prints it on stderr). */
function version(program: string): string {
  const r = spawnSync(program, ["-v"], { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
}
