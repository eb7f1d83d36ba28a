import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";

// Sticky sessions in local memory, the starting point of a migration.
const base = { duration: "2h", servers: { count: 2 }, strategies: ["cookie-insert"] };

/** The problems parseScenario reports for a scenario (over `base`) with these events, one per line. */
function problems(events: unknown[], fields: Record<string, unknown> = {}): string {
  try {
    parseScenario(JSON.stringify({ ...base, ...fields, events }, null, 2), "migrate.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

const valid = (events: unknown[], fields: Record<string, unknown> = {}) => parseScenario(JSON.stringify({ ...base, ...fields, events }), "ok.json");

/** Matches one problem line: the file, a line and column, the path, the message (with `whole` false, the message's start). */
const line = (path: string, message: string, whole = true) =>
  new RegExp(`^migrate\\.json:\\d+:\\d+: ${path.replace(/[.[\]]/g, "\\$&")}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}${whole ? "$" : ""}`, "m");

/** The number of problem lines in a message. */
const count = (message: string) => message.split("\n").filter((l) => /^migrate\.json:\d+:\d+: /.test(l)).length;

const DUAL = { at: "30m", store: { kind: "shared" }, dualWrite: true };

describe("store events", () => {
  it("refuse a kind string when no dual write is running, before any or after one finished", () => {
    const message = 'no store is being dual-written at 1800 s; give the store itself ({ "kind": "shared" }), or start with "dualWrite": true';
    expect(problems([{ at: "30m", store: "shared" }])).toMatch(line("events[0].store", message));
    // The switch at 50m ends the dual write: a second switch at 60m has none to finish.
    expect(problems([DUAL, { at: "50m", store: "shared" }, { at: "60m", store: "shared" }])).toMatch(
      line("events[2].store", 'no store is being dual-written at 3600 s; give the store itself ({ "kind": "shared" }), or start with "dualWrite": true'),
    );
    // A switch to a fresh store ends it too.
    expect(problems([DUAL, { at: "40m", store: { kind: "database" } }, { at: "50m", store: "shared" }])).toMatch(line("events[2].store", message.replace("1800", "3000")));
  });

  it("refuse a kind string with dualWrite true", () => {
    expect(problems([{ at: "30m", store: "shared", dualWrite: true }])).toMatch(
      line("events[0].store", 'a store given by its kind is the one being dual-written; give the store itself ({ "kind": ... }) to start a dual write'),
    );
  });

  it("refuse a switch to a kind other than the one being dual-written", () => {
    const message = problems([DUAL, { at: "50m", store: "database" }]);
    expect(message).toMatch(line("events[1].store", 'the store being dual-written at 3000 s is "shared", not "database"'));
    expect(count(message)).toBe(1);
  });

  it("refuse a second dual write while one runs", () => {
    expect(problems([DUAL, { at: "40m", store: { kind: "database" }, dualWrite: true }])).toMatch(
      line("events[1].store", 'a dual write to "shared" is already running at 2400 s; finish it first ({ "store": "shared" })'),
    );
  });

  it("judge the steps in time order, not file order", () => {
    // The switch is first in the file, second in time: valid. The other way round it is refused.
    expect(valid([{ at: "50m", store: "shared" }, DUAL]).events.map((e) => e.at)).toEqual([1800, 3000]);
    expect(problems([{ at: "20m", store: "shared" }, DUAL])).toMatch(line("events[0].store", 'no store is being dual-written at 1200 s; give the store itself ({ "kind": "shared" }), or start with "dualWrite": true'));
  });

  it("refuse a store whose options are wrong, at the option", () => {
    expect(problems([{ at: "30m", store: { kind: "shared", timeout: 0 }, dualWrite: true }])).toMatch(line("events[0].store.timeout", "expected a duration greater than zero, got 0"));
    expect(problems([{ at: "30m", store: { kind: "nope" } }])).toMatch(line("events[0].store.kind", 'expected one of: local, replicated, shared, hybrid, database, memcached, token; got "nope"'));
  });
});

describe("strategy events", () => {
  const routingOnly = 'a strategy event changes the routing only; "label" and "store" belong to `strategies` entries (a "store" event changes the store)';

  it('refuse "label" and "store"', () => {
    expect(problems([{ at: "70m", strategy: { id: "round-robin", label: "rr" } }])).toMatch(line("events[0].strategy", routingOnly));
    expect(problems([{ at: "70m", strategy: { id: "round-robin", store: { kind: "shared" } } }])).toMatch(line("events[0].strategy", routingOnly));
  });

  it("refuse a strategy that implies its own store", () => {
    const implies = (id: string) => `strategy "${id}" implies its own session store; switch the store with a "store" event and the routing to a strategy without one`;
    expect(problems([{ at: "70m", strategy: "shared-store" }])).toMatch(line("events[0].strategy", implies("shared-store")));
    expect(problems([{ at: "70m", strategy: "client-token" }])).toMatch(line("events[0].strategy", implies("client-token")));
    expect(problems([{ at: "70m", strategy: { id: "client-token" } }])).toMatch(line("events[0].strategy", implies("client-token")));
  });

  it("refuse an unknown strategy id with a suggestion, as a string at the value and as an object at its id", () => {
    expect(problems([{ at: "70m", strategy: "round-robbin" }])).toMatch(line("events[0].strategy", 'unknown strategy "round-robbin"; did you mean "round-robin"? expected one of: round-robin, ', false));
    expect(problems([{ at: "70m", strategy: { id: "bounded-lod" } }])).toMatch(line("events[0].strategy.id", 'unknown strategy "bounded-lod"; did you mean "bounded-load"? expected one of: ', false));
  });

  it("refuse bad strategy options, at the option, and unknown ones", () => {
    expect(problems([{ at: "70m", strategy: { id: "bounded-load", balanceFactor: -1 } }])).toMatch(line("events[0].strategy.balanceFactor", "expected a number > 0, got -1"));
    expect(problems([{ at: "70m", strategy: { id: "bounded-load", virtualNodes: 0.5 } }])).toMatch(/^migrate\.json:\d+:\d+: events\[0\]\.strategy\.virtualNodes: /m);
    expect(problems([{ at: "70m", strategy: { id: "round-robin", nope: 3 } }])).toMatch(/^migrate\.json:\d+:\d+: events\[0\]\.strategy: unknown key "nope"/m);
  });

  it('refuse "dualWrite" on a strategy event', () => {
    expect(problems([{ at: "70m", strategy: "round-robin", dualWrite: true }])).toMatch(line("events[0].dualWrite", '"dualWrite" does not go with "strategy"; it is an option of "store"'));
  });

  it("take an id or { id, ...options }, the options with their defaults", () => {
    const s = valid([
      { at: "70m", strategy: "round-robin" },
      { at: "80m", strategy: { id: "bounded-load", balanceFactor: 0.5 } },
    ]);
    expect(s.events[0].data).toEqual({ id: "round-robin", options: {} });
    // bounded-load's defaults: key "session", 150 virtual nodes.
    expect(s.events[1].data).toEqual({ id: "bounded-load", options: { key: "session", balanceFactor: 0.5, virtualNodes: 150 } });
  });
});

describe("a migration scenario", () => {
  it("is valid: dual write, a crash, the switch, the routing change", () => {
    const s = valid([
      { at: "20m", crash: "s1" },
      { at: "25m", recover: "s1" },
      { at: "30m", store: { kind: "shared", latency: "1ms" }, dualWrite: true },
      { at: "50m", store: "shared" },
      { at: "70m", strategy: "round-robin" },
    ]);
    expect(s.events.map((e) => e.action)).toEqual(["crash", "recover", "store", "store", "strategy"]);
    expect(s.events[2].options).toEqual({ dualWrite: true });
    expect(s.events[2].value).toMatchObject({ kind: "shared", latency: { dist: "constant", value: 0.001 } });
    // dualWrite defaults to false: the kind string switches.
    expect(s.events[3]).toMatchObject({ value: "shared", options: { dualWrite: false } });
    expect(s.events[4].data).toEqual({ id: "round-robin", options: {} });
  });

  it("the bundled sticky-to-shared-migration.json is valid", () => {
    const r = lbsim(["validate", "scenarios/sticky-to-shared-migration.json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("accepts a storeOutage after a dual write to a shared store on a scenario whose own store is local: the store event makes it fallible", () => {
    const s = valid([DUAL, { at: "40m", storeOutage: "1m" }, { at: "50m", store: "shared" }, { at: "60m", storeRestart: true }], { store: { kind: "local" } });
    expect(s.events.map((e) => e.action)).toEqual(["store", "storeOutage", "store", "storeRestart"]);
    // A switch to a fresh fallible store does too.
    expect(valid([{ at: "30m", store: { kind: "database" } }, { at: "40m", storeOutage: "1m" }]).events).toHaveLength(2);
  });

  it("refuses a storeOutage before the store event, or after a dual write to a store that cannot fail", () => {
    const needs = '"storeOutage" needs a strategy whose sessions live in a store that can fail ("store": { "kind": "shared" }); no strategy here uses one';
    expect(problems([{ at: "20m", storeOutage: "1m" }, DUAL])).toMatch(line("events[0].storeOutage", needs));
    expect(problems([{ at: "30m", store: { kind: "replicated" }, dualWrite: true }, { at: "40m", storeOutage: "1m" }])).toMatch(line("events[1].storeOutage", needs));
  });

  it("refuses a storeOutage once every entry has switched away from the store that could fail", () => {
    const needs = '"storeOutage" needs a strategy whose sessions live in a store that can fail ("store": { "kind": "shared" }); no strategy here uses one';
    // The scenario's own store is shared; at 30m every entry switches to local memory.
    expect(problems([{ at: "30m", store: { kind: "local" } }, { at: "40m", storeOutage: "1m" }], { store: { kind: "shared" } })).toMatch(line("events[1].storeOutage", needs));
    expect(valid([{ at: "20m", storeOutage: "1m" }, { at: "30m", store: { kind: "local" } }], { store: { kind: "shared" } }).events).toHaveLength(2);
  });

  it("takes a memcached node after a switch to memcached, not before", () => {
    const memcached = { at: "30m", store: { kind: "memcached", nodes: 2 } };
    expect(valid([memcached, { at: "40m", storeRestart: true, node: "m2" }], { store: { kind: "shared" } }).events).toHaveLength(2);
    expect(problems([{ at: "20m", storeRestart: true, node: "m2" }, memcached], { store: { kind: "shared" } })).toMatch(/events\[0\]\.node: "node" needs every strategy whose store can fail/);
  });
});

describe("lbsim with a bad migration", () => {
  it("validate and run exit 2, say where the problem is, and write nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-migrate-"));
    const file = join(dir, "bad-migration.json");
    writeFileSync(file, JSON.stringify({ ...base, duration: "10m", events: [{ at: "1m", store: { kind: "shared" }, dualWrite: true }, { at: "2m", store: "database" }, { at: "3m", strategy: "shared-store" }] }, null, 2));
    const out = join(dir, "out");
    for (const args of [["validate", file], ["run", file, "--out", out]]) {
      const r = lbsim(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad-migration\.json:\d+:\d+: events\[1\]\.store: the store being dual-written at 120 s is "shared", not "database"/);
      expect(r.stderr).toMatch(/bad-migration\.json:\d+:\d+: events\[2\]\.strategy: strategy "shared-store" implies its own session store/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
    expect(existsSync(out)).toBe(false);
  });
});
