import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DeployPlan } from "../../sim/model/events/index.js";
import { InputError } from "../../sim/scenario/errors.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";

const base = { duration: "1h", servers: { count: 2 }, strategies: ["round-robin"] };

/** The problems parseScenario reports for a two-server scenario with these events, one per line. */
function problems(events: unknown[]): string {
  try {
    parseScenario(JSON.stringify({ ...base, events }, null, 2), "events.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

const valid = (events: unknown[]) => parseScenario(JSON.stringify({ ...base, events }), "ok.json");

/** Matches one problem line: the file, a line and column, the path, the message. */
const line = (path: string, message: string) => new RegExp(`^events\\.json:\\d+:\\d+: ${path.replace(/[.[\]]/g, "\\$&")}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");

describe("events that name servers", () => {
  it("refuse an unknown server, at the value that names it", () => {
    expect(problems([{ at: 60, drain: "zz" }])).toMatch(line("events[0].drain", 'unknown server "zz"; servers are s1, s2'));
    expect(problems([{ at: 60, remove: ["s1", "zz"] }])).toMatch(line("events[0].remove[1]", 'unknown server "zz"; servers are s1, s2'));
    expect(problems([{ at: 60, rollingDeploy: { servers: ["s1", "nope"] } }])).toMatch(line("events[0].rollingDeploy.servers[1]", 'unknown server "nope"; servers are s1, s2'));
  });

  it("refuse a new server under a name that exists", () => {
    expect(problems([{ at: 60, add: { servers: ["s3", "s1"] } }])).toMatch(line("events[0].add.servers[1]", 'a server named "s1" exists already at 60 s'));
    expect(problems([{ at: 60, disaster: { recovery: { servers: ["s2"] } } }])).toMatch(line("events[0].disaster.recovery.servers[0]", 'a server named "s2" exists already at 60 s'));
  });

  it("refuse to drain or remove the last server taking new sessions", () => {
    const advice = 'add a server first (an "add" event) or use "disaster" for a total outage';
    expect(problems([{ at: 60, drain: "s1" }, { at: 70, drain: "s2" }])).toMatch(line("events[1].drain", `"drain" would leave no server taking new sessions at 70 s; ${advice}`));
    expect(problems([{ at: 60, remove: ["s1", "s2"] }])).toMatch(line("events[0].remove", `"remove" would leave no server taking new sessions at 60 s; ${advice}`));
    // A crashed server takes no new sessions either.
    expect(problems([{ at: 10, crash: "s2" }, { at: 20, remove: "s1", deadline: "1m" }])).toMatch(line("events[1].remove", `"remove" would leave no server taking new sessions at 20 s; ${advice}`));
    // Once an added server is up (startup + rise × interval = 10 + 2 × 2 s), the last old one may go.
    expect(valid([{ at: 60, add: { count: 1 }, startup: "10s" }, { at: 74, remove: ["s1", "s2"] }]).events[1].servers).toEqual(["s1", "s2"]);
    expect(problems([{ at: 60, add: { count: 1 }, startup: "10s" }, { at: 70, remove: ["s1", "s2"] }])).toMatch(line("events[1].remove", `"remove" would leave no server taking new sessions at 70 s; ${advice}`));
  });

  it("refuse to drain a removed or draining server", () => {
    expect(problems([{ at: 60, remove: "s1" }, { at: 70, drain: "s1" }])).toMatch(line("events[1].drain", "server s1 was removed before 70 s"));
    // Removed at the end of its drain (60 + 60 s).
    expect(problems([{ at: 60, remove: "s1", deadline: "1m" }, { at: 200, drain: "s1" }])).toMatch(line("events[1].drain", "server s1 was removed before 200 s"));
    expect(problems([{ at: 60, remove: "s1", deadline: "1m" }, { at: 70, drain: "s1" }])).toMatch(line("events[1].drain", 'server s1 is draining at 70 s; "drain" needs a server that is up'));
  });

  it("report problems at the events' places in the file, whatever their time order", () => {
    const message = problems([{ at: 70, drain: "s2" }, { at: 60, drain: "s1" }]);
    expect(message).toMatch(line("events[0].drain", '"drain" would leave no server taking new sessions at 70 s; add a server first (an "add" event) or use "disaster" for a total outage'));
    expect(message).not.toMatch(/events\[1\]/);
  });
});

describe("rolling deploys", () => {
  it("may not overlap on a server", () => {
    // Two servers at 25%: maxSurge 1, maxUnavailable 0, so 2 batches; about 60 + 2 × (30 + 10 + 4) + 30 = 178 s.
    expect(problems([{ at: 60, rollingDeploy: {} }, { at: 70, rollingDeploy: { servers: ["s2"] } }])).toMatch(
      line("events[1].rollingDeploy.servers[0]", "server s2 is still being deployed by an earlier rollingDeploy (until about 178 s); a second deploy may not overlap it"),
    );
    // "all" at 70 s is s1, s2 and s1's replacement s1-v2: the first and the last are still held.
    const all = problems([{ at: 60, rollingDeploy: { servers: ["s1"] } }, { at: 70, rollingDeploy: {} }]);
    expect(all).toMatch(/^events\.json:\d+:\d+: events\[1\]\.rollingDeploy: server s1 is still being deployed by an earlier rollingDeploy/m);
    expect(all).toMatch(/^events\.json:\d+:\d+: events\[1\]\.rollingDeploy: server s1-v2 is still being deployed by an earlier rollingDeploy/m);
    expect(all).not.toMatch(/server s2 is still/);
  });

  it("may follow one another: the second replaces the first's replacements", () => {
    const s = valid([{ at: 60, rollingDeploy: {} }, { at: 200, rollingDeploy: {} }]);
    expect((s.events[0].data as DeployPlan).replacement).toEqual(["s1-v2", "s2-v2"]);
    expect(s.events[1].data).toMatchObject({ old: ["s1-v2", "s2-v2"], replacement: ["s1-v3", "s2-v3"] });
    expect(s.servers.capacity).toBe(6);
  });

  it("in place, take no maxSurge", () => {
    const message = "an in-place deploy restarts servers under their own names, so it cannot start replacements first; leave maxSurge out or set it to 0";
    expect(problems([{ at: 60, rollingDeploy: { inPlace: true, maxSurge: 1 } }])).toMatch(line("events[0].rollingDeploy.maxSurge", message));
    expect(problems([{ at: 60, rollingDeploy: { inPlace: true, maxSurge: "25%" } }])).toMatch(line("events[0].rollingDeploy.maxSurge", message));
    expect(valid([{ at: 60, rollingDeploy: { inPlace: true, maxSurge: 0 } }]).events[0].data).toMatchObject({ maxSurge: 0, inPlace: true });
  });

  it("refuse a surge that is neither a count nor a percentage", () => {
    expect(problems([{ at: 60, rollingDeploy: { maxSurge: "lots" } }])).toMatch(line("events[0].rollingDeploy.maxSurge", 'expected a count or a percentage like "25%", got "lots"'));
  });
});

describe("event times and options", () => {
  it("refuse an event after the end of the run", () => {
    expect(problems([{ at: "2h", crash: "s1" }])).toMatch(line("events[0].at", "event at 7200 s is after the end of the run (3600 s)"));
    expect(valid([{ at: "1h", crash: "s1" }]).events).toHaveLength(1);
  });

  it("refuse an option that does not go with the action, naming the actions it goes with", () => {
    expect(problems([{ at: 60, crash: "s1", deadline: "1m" }])).toMatch(line("events[0].deadline", '"deadline" does not go with "crash"; it is an option of "drain" or "remove"'));
    expect(problems([{ at: 60, drain: "s1", startup: "5s" }])).toMatch(line("events[0].startup", '"startup" does not go with "drain"; it is an option of "add"'));
  });

  it("refuse a deadline of zero, at the deadline", () => {
    expect(problems([{ at: 60, drain: "s1", deadline: 0 }])).toMatch(/^events\.json:\d+:\d+: events\[0\]\.deadline: /m);
    expect(problems([{ at: 60, remove: "s1", deadline: "0s" }])).toMatch(/^events\.json:\d+:\d+: events\[0\]\.deadline: /m);
    expect(problems([{ at: 60, drain: "s1", deadline: -5 }])).toMatch(/^events\.json:\d+:\d+: events\[0\]\.deadline: /m);
  });

  // The option's own check speaks (a zero deadline is a duration, just not a positive one).
  it("say why a deadline of zero is refused", () => {
    expect(problems([{ at: 60, drain: "s1", deadline: 0 }])).toMatch(line("events[0].deadline", "expected a duration greater than zero, got 0"));
  });

  it("refuse a traffic change that gives both or neither of multiply and visitsPerSecond", () => {
    const message = 'expected exactly one of "multiply" or "visitsPerSecond"';
    expect(problems([{ at: 60, traffic: { multiply: 2, visitsPerSecond: 3 } }])).toMatch(line("events[0].traffic", message));
    expect(problems([{ at: 60, traffic: { over: "1m" } }])).toMatch(line("events[0].traffic", message));
  });
});

describe("lbsim with a bad event", () => {
  it("run exits 2, says where the problem is, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-events-"));
    const file = join(dir, "bad-events.json");
    writeFileSync(file, JSON.stringify({ ...base, duration: "10m", events: [{ at: "1m", remove: "s1" }, { at: "2m", drain: "s1" }] }, null, 2));
    const out = join(dir, "out");
    const r = lbsim(["run", file, "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-events\.json:\d+:\d+: events\[1\]\.drain: server s1 was removed before 120 s/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    const checked = lbsim(["validate", file]);
    expect(checked.status).toBe(2);
    expect(checked.stderr).toMatch(/events\[1\]\.drain: server s1 was removed before 120 s/);
  });
});
