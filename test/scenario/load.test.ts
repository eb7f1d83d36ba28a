import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strategies } from "../../sim/strategies/index.js";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { loadScenarioFile, parseScenario } from "../../sim/scenario/load.js";

/** The InputError message parseScenario gives for `text`, one line per problem. */
function problems(text: string, file = "scenarios/bad.json"): string[] {
  try {
    parseScenario(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message.split("\n");
  }
  throw new Error("expected an InputError");
}

/** A valid scenario with `extra` merged into its top level, pretty-printed like a user's file. */
function scenario(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ servers: { count: 2 }, strategies: ["round-robin"], ...extra }, null, 2);
}

describe("parseScenario on a valid file", () => {
  it("fills in every default, with durations in seconds", () => {
    const s = parseScenario('{ "servers": { "count": 2 }, "strategies": ["round-robin"], "duration": "5m" }', "scenarios/minimal.json");
    expect(s.name).toBe("minimal");
    expect(s.duration).toBe(300);
    expect(s.warmup).toBe(0);
    expect(s.replications).toBe(3);
    expect(s.seed).toBe(1);
    expect(s.servers.list.map((x) => x.name)).toEqual(["s1", "s2"]);
    expect(s.servers.workers).toBe(8);
    expect(s.servers.queueLimit).toBe(Infinity);
    expect(s.strategies).toHaveLength(1);
    expect(s.strategies[0]).toMatchObject({ id: "round-robin", label: "round-robin", store: { kind: "local", idleTimeout: 1800 } });
    expect(s.clients.think).toEqual({ dist: "exponential", mean: 10 });
    expect(s.clients.nat.map((pool) => pool.fraction)).toEqual([0]);
    expect(s.events).toEqual([]);
  });

  it("reads durations in every unit and bare numbers as seconds", () => {
    const s = parseScenario(scenario({ duration: "2h", warmup: 90, metrics: { window: "250ms" }, clients: { think: "1d" } }), "x.json");
    expect([s.duration, s.warmup, s.metrics.window]).toEqual([7200, 90, 0.25]);
    expect(s.clients.think).toEqual({ dist: "constant", value: 86400 });
  });
});

describe("parseScenario on text that is not JSON", () => {
  it("points at a missing comma with its line and column", () => {
    const text = '{\n  "servers": { "count": 2 }\n  "strategies": ["round-robin"]\n}';
    expect(problems(text)).toEqual(["scenarios/bad.json:3:3: expected a comma or closing brace"]);
  });

  it("tells a missing comma in an array from one in an object", () => {
    expect(problems('{ "strategies": ["a" "b"] }')).toEqual(["scenarios/bad.json:1:22: expected a comma or closing bracket"]);
  });

  it("points at a trailing comma", () => {
    const text = '{\n  "servers": { "count": 2 },\n  "strategies": ["round-robin"],\n}\n';
    expect(problems(text)).toEqual(["scenarios/bad.json:3:32: trailing comma before the closing brace; JSON does not allow one"]);
  });

  it("rejects comments", () => {
    expect(problems('{\n  // four servers\n  "servers": { "count": 4 } }')).toEqual(["scenarios/bad.json:2:3: comments are not allowed in JSON"]);
  });

  it("says an empty file is empty", () => {
    expect(problems("")).toEqual(["scenarios/bad.json: the file is empty; expected a JSON object describing a scenario"]);
    expect(problems("  \n\n")).toEqual(["scenarios/bad.json: the file is empty; expected a JSON object describing a scenario"]);
  });

  it("reports an unclosed object at the end of the text", () => {
    expect(problems('{ "servers": { "count": 2 }')).toEqual(["scenarios/bad.json:1:28: expected a closing brace"]);
  });
});

describe("parseScenario on a scenario with mistakes", () => {
  it("suggests the closest key for an unknown top-level key", () => {
    const text = '{\n  "servers": { "count": 2 },\n  "sevrers": 3,\n  "strategies": ["round-robin"]\n}';
    expect(problems(text)).toEqual(['scenarios/bad.json:3:3: (root): unknown key "sevrers"; did you mean "servers"?']);
  });

  it("suggests the closest key for an unknown nested key", () => {
    const text = scenario({ clients: { nat: { fractoin: 0.3 } } });
    expect(problems(text)).toEqual(['scenarios/bad.json:10:7: clients.nat: unknown key "fractoin"; did you mean "fraction"?']);
  });

  it("lists the valid keys when no key is close, narrowed to the chosen variant", () => {
    const text = scenario({ store: { kind: "local", latency: "1ms" } });
    expect(problems(text)).toEqual(['scenarios/bad.json:10:5: store: unknown key "latency"; valid keys here: kind, idleTimeout, sessionBytes']);
  });

  it("knows the keys of a strategy entry", () => {
    const text = scenario({ strategies: [{ id: "round-robin", lable: "rr" }] });
    expect(problems(text)).toEqual(['scenarios/bad.json:8:7: strategies[0]: unknown key "lable"; did you mean "label"?']);
  });

  it("writes array indices into the path", () => {
    const text = scenario({ servers: { list: [{ name: "a" }, { name: "b", weight: 0 }] } });
    expect(problems(text)).toEqual(["scenarios/bad.json:9:19: servers.list[1].weight: expected a number > 0, got 0"]);
  });

  it("rejects options a strategy does not take, listing the keys it does", () => {
    const text = scenario({ strategies: [{ id: "round-robin", virtualNodes: 150 }] });
    expect(problems(text)).toEqual(['scenarios/bad.json:8:7: strategies[0]: unknown key "virtualNodes"; valid keys here: id, label, store, classes']);
  });

  it("rejects a key written twice", () => {
    const text = '{ "servers": { "count": 2 }, "strategies": ["round-robin"], "servers": { "count": 3 } }';
    expect(problems(text)).toEqual(['scenarios/bad.json:1:61: (root): duplicate key "servers" (first written on line 1); JSON keeps only one of them']);
  });

  it("names the wrong type and shows the bad value", () => {
    const text = scenario({ servers: { count: 2, workers: "eight" } });
    expect(problems(text)).toEqual(['scenarios/bad.json:4:16: servers.workers: expected number, got string "eight"']);
  });

  it("shows the bad value of an out-of-range number", () => {
    const text = scenario({ clients: { nat: { fraction: 1.5 } } });
    expect(problems(text)).toEqual(["scenarios/bad.json:10:19: clients.nat.fraction: expected a number <= 1, got 1.5"]);
  });

  it("explains a bad duration string in one message", () => {
    expect(problems(scenario({ duration: "5 minutes" }))).toEqual([
      'scenarios/bad.json:8:15: duration: expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"; got "5 minutes"',
    ]);
    expect(problems(scenario({ warmup: true }))).toEqual([
      'scenarios/bad.json:8:13: warmup: expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"; got true',
    ]);
  });

  it("reports a bad min of a range once, without comparing it to max or quoting its raw text", () => {
    // Found by test/fuzz: the min <= max check also ran on the invalid string and wrote it, newline included, into its message.
    const text = scenario({ clients: { think: { dist: "uniform", min: "5\nx", max: "1s" } } });
    expect(problems(text)).toEqual([
      'scenarios/bad.json:11:14: clients.think.min: expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"; got "5\\nx"',
    ]);
  });

  it("lists the distribution families for an unknown dist", () => {
    const text = scenario({ clients: { think: { dist: "weibull", mean: "10s" } } });
    expect(problems(text)).toEqual([
      'scenarios/bad.json:10:15: clients.think.dist: expected one of: constant, exponential, uniform, normal, lognormal, pareto, choice; got "weibull"',
    ]);
  });

  it("lists the store kinds for an unknown store kind", () => {
    expect(problems(scenario({ store: { kind: "redis" } }))).toEqual([
      'scenarios/bad.json:9:13: store.kind: expected one of: local, replicated, shared, hybrid, database, memcached, token; got "redis"',
    ]);
  });

  it("reports a missing required key at its object", () => {
    expect(problems('{\n  "strategies": ["round-robin"]\n}')).toEqual(['scenarios/bad.json:1:1: (root): missing required key "servers"']);
  });

  it("words problems in strategy options like any other, keeping a strategy's own message", () => {
    const text = scenario({ strategies: [{ id: "cookie-insert", redispatch: "yes" }, { id: "maglev", tableSize: 65536 }] });
    expect(problems(text)).toEqual([
      'scenarios/bad.json:8:21: strategies[0].redispatch: expected boolean, got string "yes"',
      "scenarios/bad.json:12:20: strategies[1].tableSize: tableSize must be a prime number (Envoy refuses others)",
    ]);
  });

  it("keeps a strategy's own message for a check on an option left at its default, not calling it a missing key", () => {
    // Found by test/fuzz: minimumRingSize defaults to 1024, above this maximumRingSize.
    const text = scenario({ strategies: [{ id: "ring-hash", maximumRingSize: 1 }] });
    expect(problems(text)).toEqual(["scenarios/bad.json:6:5: strategies[0].minimumRingSize: minimumRingSize must not exceed maximumRingSize (Envoy refuses the configuration)"]);
  });

  it("lists the valid strategy ids for an unknown one", () => {
    expect(problems(scenario({ strategies: ["round-robin", "ring-hashh"] }))).toEqual([
      `scenarios/bad.json:7:5: strategies[1]: unknown strategy "ring-hashh"; did you mean "ring-hash"? expected one of: ${strategies.map((s) => s.id).join(", ")}`,
    ]);
  });

  it("names the servers when an event names an unknown one", () => {
    const text = scenario({ events: [{ at: "1m", crash: "s3" }] });
    expect(problems(text)).toEqual(['scenarios/bad.json:11:16: events[0].crash: unknown server "s3"; servers are s1, s2']);
  });

  it("reports several problems together, in the order they appear in the file", () => {
    const text = [
      "{",
      '  "strategies": ["round-robin"],',
      '  "servers": { "count": 0, "wrokers": 4 },',
      '  "duration": "1 hour",',
      '  "clients": { "nat": { "fraction": "a lot" } }',
      "}",
    ].join("\n");
    expect(problems(text)).toEqual([
      "scenarios/bad.json:3:25: servers.count: expected a number >= 1, got 0",
      'scenarios/bad.json:3:28: servers: unknown key "wrokers"; did you mean "workers"?',
      'scenarios/bad.json:4:15: duration: expected a duration: seconds, or a string like "250ms", "30s", "5m", "2h", "1d"; got "1 hour"',
      'scenarios/bad.json:5:37: clients.nat.fraction: expected number, got string "a lot"',
    ]);
  });

  it("carries the file and every located problem on the error", () => {
    try {
      parseScenario(scenario({ seed: -1 }), "s.json");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: "InputError", file: "s.json", problems: [{ path: "seed", line: 8, column: 11, message: "expected a number >= 0, got -1" }] });
    }
  });
});

describe("loadScenarioFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbsim-load-"));

  it("loads a file and names the scenario after it", () => {
    const file = join(dir, "two-servers.json");
    writeFileSync(file, scenario());
    expect(loadScenarioFile(file).name).toBe("two-servers");
  });

  it("names a missing file and says why it cannot be read", () => {
    const file = join(dir, "nope.json");
    expect(() => loadScenarioFile(file)).toThrow(new InputError(file, [{ path: "", message: "cannot read the scenario file: the file does not exist" }]));
    expect(() => loadScenarioFile(file)).toThrow(`${file}: cannot read the scenario file: the file does not exist`);
  });

  it("refuses a directory", () => {
    expect(() => loadScenarioFile(dir)).toThrow(`${dir}: cannot read the scenario file: it is a directory, not a file`);
  });
});
