// Live conformance: a real redis-server against the shared store's persistence and memory models
// (sim/model/stores/persistence.ts, sim/model/stores/store-memory.ts). Sessions are written as
// connect-redis writes them (SET sess:<id> <value> EX <ttl>); Redis is killed with SIGKILL and
// restarted on its files, or filled past its maxmemory, and what survives is compared with what
// the model predicts for the same operations at the same times. Run with
// `npm run test:conformance`; needs Debian's redis-server (Debian 12: Redis 7.0.15). Not part of
// `npm test`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from "vitest";
import { Persistence, persistenceOptions } from "../../sim/model/stores/persistence.js";
import { StoreMemory } from "../../sim/model/stores/store-memory.js";
import { findProgram, freePorts, sleep } from "./harness.js";
import { info, killRedis, pipelined, present, redisConf, redisVersion, Resp, sessionKey, startRedis, startWriter, type RedisServer, type Write } from "./redis-harness.js";

const program = findProgram("redis-server");
const missingMessage =
  "redis-server not found in PATH or /usr/sbin: the Redis conformance cases run the real program. " +
  "Install it (Debian 12: apt-get install redis-server, which .ci/run does) and run again.";
// Locally a missing redis-server skips these cases; under CI it fails them, as a missing nginx or HAProxy does.
const skip = program === undefined && !process.env.CI;
if (skip) console.warn(`skipping the Redis conformance cases: ${missingMessage}`);

/** Session writes a second, steady. */
const RATE = 200;
/**
 * Runs of each persistence case, for the measured spread, each on its own server, at the same
 * time: run k starts (k + 0.5) / REPEATS into a wall-clock second.
 */
const REPEATS = 5;
const phases = Array.from({ length: REPEATS }, (_, k) => (k + 0.5) / REPEATS);
/** serverCron runs hz times a second (redis.conf `hz`, set to its default 10 by redisConf). */
const HZ = 10;
/**
 * Writes of one serverCron tick. Redis checks save points and retries a postponed AOF write
 * once a tick (src/server.c `serverCron`), so what a kill finds can be off by one tick's writes
 * from any clock reading of the suite.
 */
const TICK_WRITES = RATE / HZ;
const value = (i: number) => `session-${i}-${"x".repeat(200)}`;

let root = "";
const servers: RedisServer[] = [];
const summary: string[] = [];

async function start(dir: string, port: number, extra: string[]): Promise<RedisServer> {
  const s = await startRedis(program!, dir, port, redisConf(port, dir, extra));
  servers.push(s);
  return s;
}

/** Waits until the wall clock is `fraction` into a second (Redis counts its save-point time in whole seconds of it). */
async function atFractionOfSecond(fraction: number): Promise<void> {
  await sleep((fraction * 1000 - (Date.now() % 1000) + 1000) % 1000);
}

interface CrashRun {
  /** Seconds from the start of Redis to the kill. */
  killAt: number;
  /** The writes Redis acknowledged before the kill, in the order sent; `at`: seconds from the start of Redis to the send. */
  acked: { index: number; at: number }[];
  /** Whether each acknowledged write was there after the restart. */
  kept: boolean[];
}

/**
 * Starts Redis with `extra` at `phase` into a wall-clock second, writes RATE sessions a second
 * from its start, kills it with SIGKILL `killAfter` seconds after its start, restarts it on the
 * same directory and asks which acknowledged writes survived.
 */
async function crashRun(name: string, extra: string[], killAfter: number, phase: number): Promise<CrashRun> {
  const dir = mkdtempSync(join(root, `${name}-`));
  const [port] = await freePorts(1);
  await atFractionOfSecond(phase);
  const first = await start(dir, port, extra);
  const client = await Resp.open(port);
  const writer = startWriter(client, RATE, performance.now(), value);
  await sleep(first.startedAt + killAfter * 1000 - performance.now());
  const killedAt = performance.now();
  await killRedis(first);
  writer.stop();
  client.close();
  await sleep(20); // replies already on their way
  const since = (w: Write) => (w.sentAt - first.startedAt) / 1000;
  const acked = writer.writes.filter((w) => Number.isFinite(w.ackedAt)).map((w) => ({ index: w.index, at: since(w) }));

  const second = await start(dir, port, extra);
  const reader = await Resp.open(port);
  const kept = await present(reader, acked.map((w) => w.index), value);
  reader.close();
  await second.running.stop();
  return { killAt: (killedAt - first.startedAt) / 1000, acked, kept };
}

const lostCount = (r: CrashRun) => r.kept.filter((k) => !k).length;

/** The model's loss for the same writes: each is a change at its time, and the restart loses those after keptUpTo(kill). */
function predictedLoss(options: unknown, r: CrashRun): number {
  const p = new Persistence(persistenceOptions.parse(options));
  for (const w of r.acked) p.changed(w.at);
  const keptUpTo = p.keptUpTo(r.killAt);
  return r.acked.filter((w) => w.at > keptUpTo).length;
}

function report(line: string): void {
  summary.push(line);
  console.log(line);
}

describe.skipIf(skip)("real redis-server", () => {
  beforeAll(() => {
    if (program === undefined) throw new Error(missingMessage);
    console.log(`redis-server: ${redisVersion(program)}`);
    root = mkdtempSync(join(tmpdir(), "lbsim-redis-"));
  });

  afterAll(async () => {
    // Stop every server started, by id, even when a test or a start failed.
    await Promise.all(servers.map((s) => s.running.stop()));
    if (root) rmSync(root, { recursive: true, force: true });
    if (summary.length > 0) console.log(`redis conformance:\n${summary.map((s) => `  ${s}`).join("\n")}`);
  });

  describe("persistence: what a SIGKILL loses", () => {
    it("RDB save 3 100: the writes since the last snapshot, which the model puts up to 1 s early", async () => {
      // Killed 5 s after its start. The model snapshots at 3 s (3 s passed, 100 changes long
      // before), next at 6 s. Redis's serverCron snapshots when `server.unixtime -
      // server.lastsave > 3` (src/server.c), both in whole seconds of the wall clock, lastsave
      // its start (initServer): at the first tick once 4 whole seconds have begun, between 3 s
      // (a start just before a second begins) and 4 s (just after) from the start, plus up to a
      // cron tick; its next comes at least 4 s later. The runs start 0.1, 0.3 … 0.9 s into a
      // second, spreading that phase.
      const N = 3, killAfter = 5;
      const runs = await Promise.all(phases.map((phase) => crashRun("rdb", ["save 3 100", "appendonly no"], killAfter, phase)));
      const lost = runs.map(lostCount);
      const predicted = runs.map((r) => predictedLoss({ mode: "rdb", save: [[N, 100]] }, r));
      const snapshots = runs.map((r) => r.acked[r.kept.indexOf(false)]?.at ?? NaN);
      report(
        `RDB save 3 100, SIGKILL at ${runs.map((r) => r.killAt.toFixed(2)).join("/")} s: lost ${lost.join(", ")} of ${runs.map((r) => r.acked.length).join("/")} ` +
          `(spread ${Math.min(...lost)}..${Math.max(...lost)}); Redis snapshot at ${snapshots.map((s) => s.toFixed(2)).join(", ")} s; model ${predicted.join(", ")}`,
      );
      for (const r of runs) {
        // A snapshot is the data set at one moment (the fork): every write acknowledged before it
        // is kept, every one after it lost.
        const firstLost = r.kept.indexOf(false);
        expect(firstLost, "the snapshot kept the first writes and lost some").toBeGreaterThan(0);
        expect(r.kept.slice(firstLost).every((k) => !k), "every write after the snapshot is lost").toBe(true);
      }
      for (const s of snapshots) {
        expect(s, "Redis snapshots after N s").toBeGreaterThan(N);
        expect(s, "Redis snapshots within N + 1 s and a cron tick (and 0.1 s of scheduling)").toBeLessThanOrEqual(N + 1 + 1 / HZ + 0.1);
      }
      // Tolerance: the model's snapshot is at exactly N s, Redis's between N and N + 1 s plus a
      // cron tick (above), so in each run the model loses what Redis lost plus between 0 and
      // 1 s + 1 tick of writes; one tick of writes either way for the suite's own clock.
      predicted.forEach((p, k) => {
        expect(p - lost[k], `run ${k + 1}: model ${p} vs Redis ${lost[k]}`).toBeGreaterThanOrEqual(-TICK_WRITES);
        expect(p - lost[k], `run ${k + 1}: model ${p} vs Redis ${lost[k]}`).toBeLessThanOrEqual(RATE + 2 * TICK_WRITES);
      });
    });

    it("AOF appendfsync everysec: what the model predicts, within the measured spread", async () => {
      // Killed 3 s after its start, so a few background fsyncs have run. Redis writes the AOF
      // buffer to the file before it answers (src/aof.c `flushAppendOnlyFile`, called from
      // beforeSleep before replies go out), so an acknowledged write is in the kernel's page
      // cache when the process dies, and survives it; a SIGKILL can lose only writes whose
      // write(2) was postponed behind a slow background fsync (everysec, up to 2 s). What
      // `everysec` bounds to about a second is the loss of a machine crash, which takes the page
      // cache with it (redis.io, "Redis persistence"). Tolerance: the measured spread, and one
      // cron tick of writes either way (a postponed write is retried every tick).
      const killAfter = 3;
      const runs = await Promise.all(phases.map((phase) => crashRun("aof", ['save ""', "appendonly yes", "appendfsync everysec"], killAfter, phase)));
      const lost = runs.map(lostCount);
      const predicted = runs.map((r) => predictedLoss({ mode: "aof", fsync: "everysec" }, r));
      const min = Math.min(...lost), max = Math.max(...lost);
      report(
        `AOF everysec, SIGKILL at ${runs.map((r) => r.killAt.toFixed(2)).join("/")} s: lost ${lost.join(", ")} of ${runs.map((r) => r.acked.length).join("/")} ` +
          `(spread ${min}..${max}); model ${predicted.join(", ")}`,
      );
      for (const p of predicted) {
        expect(p, `model ${p} vs Redis ${lost.join(", ")}`).toBeGreaterThanOrEqual(min - TICK_WRITES);
        expect(p, `model ${p} vs Redis ${lost.join(", ")}`).toBeLessThanOrEqual(max + TICK_WRITES);
      }
    });
  });

  // Both cases at once, on two servers (each waits for whole seconds of the clock).
  describe.concurrent("maxmemory allkeys-lru", () => {
    // FIRST sessions written, the oldest RECENT of them read again 2 s later, then `more` written
    // 2 s after that, past a limit of CAPACITY sessions. Redis keeps each key's last use in
    // whole seconds (LRU_CLOCK_RESOLUTION 1000 ms, src/server.h), so the three steps are whole
    // seconds apart and each done within one; they start 0.15 s into a second, after the cron
    // tick that moves Redis's LRU clock. The model is an exact LRU over sessions of the size
    // Redis's used_memory grew by per session; Redis samples maxmemory-samples 5 keys per
    // eviction into a pool of the 16 best candidates (src/evict.c `evictionPoolPopulate`).
    const LRU_VALUE = 1000, CAPACITY = 2000, FIRST = 1600, RECENT = 400;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    const big = (i: number) => `session-${i}-${"y".repeat(LRU_VALUE)}`;

    interface LruRun {
      perKey: number;
      usage: number;
      limit: number;
      evictions: { real: number; model: number };
      held: { real: number; model: number };
      /** Share of each group evicted. */
      share: Record<"recent" | "old" | "later", { real: number; model: number }>;
    }

    async function lruRun(more: number): Promise<LruRun> {
      const dir = mkdtempSync(join(root, "lru-"));
      const [port] = await freePorts(1);
      const s = await start(dir, port, ['save ""', "appendonly no", "maxmemory-policy allkeys-lru", "maxmemory-samples 5"]);
      const client = await Resp.open(port);
      const ops: { read: boolean; slot: number; at: number }[] = [];
      const step = async (read: boolean, keys: number[]) => {
        const at = (performance.now() - s.startedAt) / 1000;
        await pipelined(client, keys, (i) => (read ? ["GET", sessionKey(i)] : ["SET", sessionKey(i), big(i), "EX", 3600]));
        for (const slot of keys) ops.push({ read, slot, at });
      };
      const t0 = (Math.floor(Date.now() / 1000) + 1) * 1000;
      const at = (second: number) => sleep(t0 + second * 1000 + 150 - Date.now());

      await at(0);
      const baseline = Number((await info(client, "memory")).used_memory);
      await step(false, range(0, FIRST));
      const perKey = (Number((await info(client, "memory")).used_memory) - baseline) / FIRST;
      const usage = Number(await client.call("MEMORY", "USAGE", sessionKey(0)));
      // The model's store: maxMemory bytes of sessions of sessionBytes each, as shared.ts sizes it.
      const sessionBytes = Math.round(perKey);
      const maxMemory = CAPACITY * sessionBytes;
      await client.call("CONFIG", "SET", "maxmemory", baseline + maxMemory);
      await at(2);
      await step(true, range(0, RECENT));
      await at(4);
      await step(false, range(FIRST, FIRST + more));
      await client.call("CONFIG", "SET", "maxmemory", 0); // so that counting evicts nothing
      const evicted = Number((await info(client, "stats")).evicted_keys);
      const all = range(0, FIRST + more);
      const held = await present(client, all, big);
      client.close();
      await s.running.stop();

      const m = new StoreMemory(Math.floor(maxMemory / sessionBytes), true, 3600);
      for (const o of ops) {
        if (o.read) m.read(o.slot, o.at);
        else m.write(o.slot, o.at);
      }
      const modelHeld = all.map((i) => !m.evicted(i));
      const gone = (h: boolean[], keys: number[]) => keys.filter((i) => !h[i]).length / keys.length;
      const groups = { recent: range(0, RECENT), old: range(RECENT, FIRST), later: range(FIRST, FIRST + more) };
      const share = Object.fromEntries(Object.entries(groups).map(([g, keys]) => [g, { real: gone(held, keys), model: gone(modelHeld, keys) }])) as LruRun["share"];
      return {
        perKey,
        usage,
        limit: Math.floor(maxMemory / sessionBytes),
        evictions: { real: evicted, model: m.evictions },
        held: { real: held.filter(Boolean).length, model: modelHeld.filter(Boolean).length },
        share,
      };
    }

    const describeRun = (name: string, r: LruRun) => {
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      report(
        `LRU ${name}: ${r.perKey.toFixed(0)} B a session (MEMORY USAGE ${r.usage}), limit ${r.limit} sessions; held Redis ${r.held.real} model ${r.held.model}; ` +
          `evicted Redis ${r.evictions.real} model ${r.evictions.model}; ` +
          (["recent", "old", "later"] as const).map((g) => `${g} evicted Redis ${pct(r.share[g].real)} model ${pct(r.share[g].model)}`).join(", "),
      );
    };

    /**
     * What holds whatever the pressure: Redis holds fewer sessions than the model, at most 5%
     * fewer (measured on Redis 7.0.15: 2.7% fewer; at the limit its used_memory comes to about
     * 1,190 B a session held, against the 1,157 B it grew by per session below the limit: keys
     * deleted, by eviction as by DEL, leave memory behind that no key accounts for); the sessions written last
     * stay (at most 2% of them evicted, where a sample of 5 found nothing older); the exact LRU
     * evicts no re-read session while untouched ones remain.
     */
    const common = (r: LruRun, expect: ExpectStatic) => {
      expect(r.held.real, "Redis holds no more than the model").toBeLessThanOrEqual(r.held.model);
      expect(r.held.real, "Redis holds at least 95% of the model's count").toBeGreaterThanOrEqual(0.95 * r.held.model);
      expect(r.share.later.real, "the sessions written last stay in Redis").toBeLessThanOrEqual(0.02);
      expect(r.share.later.model).toBe(0);
      expect(r.share.recent.model, "the exact LRU evicts untouched sessions before re-read ones").toBe(0);
    };

    it("under light pressure (a third of the untouched sessions evicted) Redis's sampled LRU evicts as the exact LRU does", async ({ expect }) => {
      const r = await lruRun(800);
      describeRun("light", r);
      common(r, expect);
      // Every eviction samples 5 keys into the pool, and while more than a fifth of the keys are
      // untouched, more than one untouched key comes in per eviction: the pool always has one.
      expect(r.share.recent.real, "Redis evicts (almost) no re-read session").toBeLessThanOrEqual(0.02);
    });

    it("under heavy pressure (5/6 of the untouched sessions evicted) Redis's sampled LRU also evicts re-read sessions", async ({ expect }) => {
      const r = await lruRun(1400);
      describeRun("heavy", r);
      common(r, expect);
      // Once fewer than a fifth of the keys are untouched, a sample of 5 brings in less than one
      // per eviction, the pool runs out of them, and the best candidate left is a re-read key
      // (idle 2 s rather than 4 s). Measured on Redis 7.0.15: about a fifth to a quarter of
      // the re-read sessions go. Still an LRU: it evicts an untouched session far more readily.
      expect(r.share.recent.real, "Redis evicts some re-read sessions").toBeGreaterThan(0);
      expect(r.share.recent.real, "but far fewer than of the untouched").toBeLessThanOrEqual(r.share.old.real / 2);
    });
  });
});
