import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";

const base = { duration: "1h", servers: { count: 2 }, strategies: ["round-robin"] };

/** The problems parseScenario reports for this scenario (over `base`), one per line. */
function problems(fields: Record<string, unknown>): string {
  try {
    parseScenario(JSON.stringify({ ...base, ...fields }, null, 2), "store.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

const valid = (fields: Record<string, unknown>) => parseScenario(JSON.stringify({ ...base, ...fields }), "ok.json");

/** Matches one problem line: the file, a line and column, the path, the message. */
const line = (path: string, message: string) => new RegExp(`^store\\.json:\\d+:\\d+: ${path.replace(/[.[\]]/g, "\\$&")}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");

const needsShared = (action: string) => `"${action}" needs a strategy whose sessions live in a store that can fail ("store": { "kind": "shared" }); no strategy here uses one`;

describe("store events", () => {
  it("need a strategy whose sessions live in a store that can fail", () => {
    expect(problems({ events: [{ at: 60, storeOutage: "2m" }] })).toMatch(line("events[0].storeOutage", needsShared("storeOutage")));
    expect(problems({ events: [{ at: 60, crash: "s1" }, { at: 70, storeRestart: true }] })).toMatch(line("events[1].storeRestart", needsShared("storeRestart")));
    // Local memory and client-side tokens cannot be unreachable; a scenario-wide shared store does
    // not help a strategy that implies tokens.
    expect(problems({ strategies: ["round-robin", "client-token"], store: { kind: "local" }, events: [{ at: 60, storeOutage: "1m" }] })).toMatch(line("events[0].storeOutage", needsShared("storeOutage")));
    expect(problems({ strategies: ["client-token"], store: { kind: "shared" }, events: [{ at: 60, storeOutage: "1m" }] })).toMatch(line("events[0].storeOutage", needsShared("storeOutage")));
  });

  it("are accepted once any strategy uses a shared store: its own, the scenario's, or the one shared-store implies", () => {
    const events = [{ at: 60, storeOutage: "2m" }, { at: 600, storeRestart: { down: "10s" } }];
    expect(valid({ strategies: ["round-robin", { id: "round-robin", label: "rr + redis", store: { kind: "shared" } }], events }).events.map((e) => e.action)).toEqual(["storeOutage", "storeRestart"]);
    expect(valid({ store: { kind: "shared" }, events }).events).toHaveLength(2);
    expect(valid({ strategies: ["cookie-insert", "shared-store"], events }).events).toHaveLength(2);
  });

  it("read their values: an outage's length, a restart's down time (5 s for true) and whether the machine went down with it", () => {
    const s = valid({ store: { kind: "shared" }, events: [{ at: 60, storeOutage: "2m" }, { at: 600, storeRestart: true }, { at: 700, storeRestart: { down: "30s" } }, { at: 800, storeRestart: {} }, { at: 900, storeRestart: { host: true } }] });
    expect(s.events.map((e) => e.value)).toEqual([120, { down: 5, host: false }, { down: 30, host: false }, { down: 5, host: false }, { down: 5, host: true }]);
  });

  it("refuse an outage of no time, a negative down time and a restart of false", () => {
    const message = problems({ store: { kind: "shared" }, events: [{ at: 60, storeOutage: 0 }, { at: 60, storeRestart: { down: -1 } }, { at: 60, storeRestart: false }] });
    expect(message).toMatch(line("events[0].storeOutage", "expected a duration greater than zero, got 0"));
    expect(message).toMatch(/^store\.json:\d+:\d+: events\[1\]\.storeRestart\.down: /m);
    expect(message).toMatch(/^store\.json:\d+:\d+: events\[2\]\.storeRestart: /m);
  });
});

describe("shared store options", () => {
  it("default to 1 ms round trips, no capacity and no timeout, node-redis, errors in an outage, RDB with Redis's save points, no memory limit", () => {
    expect(valid({ store: { kind: "shared" } }).store).toEqual({
      kind: "shared",
      idleTimeout: 1800,
      latency: { dist: "constant", value: 0.001 },
      client: "node-redis",
      onOutage: "error",
      persistence: { mode: "rdb", save: [[3600, 1], [300, 100], [60, 10000]], fsync: "everysec" },
      eviction: "noeviction",
      sessionBytes: 2048,
      ttl: "sliding",
    });
    expect(valid({ store: { kind: "shared", capacity: { opTime: "13us" } } }).store.capacity).toEqual({ connections: 1, opTime: 13e-6 });
  });

  it("refuse an unknown persistence mode or fsync policy", () => {
    expect(problems({ store: { kind: "shared", persistence: { mode: "x" } } })).toMatch(line("store.persistence.mode", 'expected one of: rdb, aof, none; got "x"'));
    expect(problems({ store: { kind: "shared", persistence: { mode: "aof", fsync: "sometimes" } } })).toMatch(line("store.persistence.fsync", 'expected one of: always, everysec, no; got "sometimes"'));
  });

  it("refuse a save point with no changes, negative seconds, or not a pair", () => {
    const message = problems({ store: { kind: "shared", persistence: { save: [[60, 0], [-5, 10], [60]] } } });
    expect(message).toMatch(line("store.persistence.save[0][1]", "expected a number > 0, got 0"));
    expect(message).toMatch(/^store\.json:\d+:\d+: store\.persistence\.save\[1\]\[0\]: .*-5/m);
    expect(message).toMatch(/^store\.json:\d+:\d+: store\.persistence\.save\[2\]: /m);
    expect(message).not.toMatch(/save\[1\]\[1\]/);
    expect(problems({ store: { kind: "shared", persistence: { save: [] } } })).toMatch(/^store\.json:\d+:\d+: store\.persistence\.save: /m);
  });

  it("refuse a capacity whose operations take no time, or with no connection", () => {
    expect(problems({ store: { kind: "shared", capacity: { opTime: 0 } } })).toMatch(line("store.capacity.opTime", "expected a duration greater than zero, got 0"));
    expect(problems({ store: { kind: "shared", capacity: { opTime: "1ms", connections: 0 } } })).toMatch(line("store.capacity.connections", "expected a number > 0, got 0"));
    expect(problems({ store: { kind: "shared", capacity: { connections: 4 } } })).toMatch(line("store.capacity", 'missing required key "opTime"'));
  });

  it("report a strategy's own store at its place", () => {
    const message = problems({ strategies: [{ id: "round-robin", store: { kind: "shared", capacity: { opTime: "0ms" }, client: "jedis", onOutage: "retry", timeout: 0 } }] });
    expect(message).toMatch(line("strategies[0].store.capacity.opTime", 'expected a duration greater than zero, got "0ms"'));
    expect(message).toMatch(line("strategies[0].store.client", 'expected one of: node-redis, ioredis; got "jedis"'));
    expect(message).toMatch(line("strategies[0].store.onOutage", 'expected one of: error, newSession; got "retry"'));
    expect(message).toMatch(line("strategies[0].store.timeout", "expected a duration greater than zero, got 0"));
  });

  it("belong to the shared store only", () => {
    expect(problems({ store: { kind: "local", persistence: { mode: "aof" } } })).toMatch(line("store", 'unknown key "persistence"; valid keys here: kind, idleTimeout, sessionBytes'));
  });
});

describe("lbsim with a store event and no shared store", () => {
  it("validate and run exit 2 and say where the problem is", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-store-"));
    const file = join(dir, "outage.json");
    writeFileSync(file, JSON.stringify({ ...base, duration: "10m", events: [{ at: "1m", storeOutage: "2m" }] }, null, 2));
    for (const args of [["validate", file], ["run", file, "--out", join(dir, "out")]]) {
      const r = lbsim(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`outage.json:`);
      expect(r.stderr).toMatch(/events\[0\]\.storeOutage: "storeOutage" needs a strategy whose sessions live in a store that can fail/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
