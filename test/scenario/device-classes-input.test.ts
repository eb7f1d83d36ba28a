import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { describeScenario } from "../../sim/scenario/describe.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";

const CLASSES = [
  { name: "mobile", fraction: 0.4 },
  { name: "desktop", fraction: 0.6 },
];

/** A scenario with these device classes (none when undefined) and strategy entries. */
function document(classes: unknown, strategies: unknown[]): string {
  return JSON.stringify({ duration: "10m", clients: classes === undefined ? {} : { classes }, servers: { count: 3 }, strategies }, null, 2);
}

/** The problems parseScenario reports, one per line. */
function problems(classes: unknown, strategies: unknown[] = ["round-robin"]): string {
  try {
    parseScenario(document(classes, strategies), "classes.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

/** Matches one problem line: the file, a line and column, the path, the whole message. */
const line = (path: string, message: string) => new RegExp(`^classes\\.json:\\d+:\\d+: ${path.replace(/[.[\]]/g, "\\$&")}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");

/** Problem lines in a message. */
const count = (message: string) => message.split("\n").filter((l) => /^classes\.json:\d+:\d+: /.test(l)).length;

describe("clients.classes", () => {
  it("takes fractions that add up to 1 within rounding, and gives each entry a label naming its classes' strategies", () => {
    // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in binary.
    const three = [{ name: "a", fraction: 0.1 }, { name: "b", fraction: 0.2 }, { name: "c", fraction: 0.7 }];
    const scenario = parseScenario(document(three, ["round-robin", { id: "cookie-insert", classes: { c: "jump-hash", a: { id: "ring-hash", virtualNodes: 50 } } }]), "ok.json");
    expect(scenario.strategies.map((e) => e.label)).toEqual(["round-robin", "cookie-insert (a: ring-hash; c: jump-hash)"]);
    // In class order, whatever the order written, with the strategy's options and their defaults.
    expect(scenario.strategies[1].classes?.map((c) => [c.deviceClass, c.id])).toEqual([["a", "ring-hash"], ["c", "jump-hash"]]);
    expect(scenario.strategies[1].classes?.[0].options).toMatchObject({ virtualNodes: 50 });
    expect(scenario.strategies[0].classes).toBeUndefined();
  });

  it("are listed by validate with their shares", () => {
    const scenario = parseScenario(document(CLASSES, [{ id: "round-robin", classes: { mobile: "cookie-insert" } }]), "ok.json");
    expect(describeScenario(scenario)).toMatch(/^clients: .*; classes mobile 40%, desktop 60%$/m);
    expect(describeScenario(scenario)).toMatch(/^strategies: round-robin \(mobile: cookie-insert\)$/m);
  });

  it("keeps a label the entry gives itself", () => {
    const scenario = parseScenario(document(CLASSES, [{ id: "round-robin", label: "two balancers", classes: { mobile: "cookie-insert" } }]), "ok.json");
    expect(scenario.strategies[0].label).toBe("two balancers");
  });

  it("refuses fractions that do not add up to 1", () => {
    const message = problems([{ name: "mobile", fraction: 0.4 }, { name: "desktop", fraction: 0.5 }]);
    expect(message).toMatch(line("clients.classes", "the classes' fractions add up to 0.9; they must add up to 1"));
    expect(count(message)).toBe(1);
    expect(problems([{ name: "mobile", fraction: 0.5 }, { name: "desktop", fraction: 0.5 + 2e-9 }])).toMatch(/clients\.classes: the classes' fractions add up to 1\.000000002/);
  });

  it("refuses a duplicate class name at the second one", () => {
    const message = problems([{ name: "mobile", fraction: 0.5 }, { name: "mobile", fraction: 0.5 }]);
    expect(message).toMatch(line("clients.classes[1].name", 'duplicate class name "mobile"'));
    expect(count(message)).toBe(1);
  });

  it("refuses a name that is not a simple identifier, and an empty list", () => {
    expect(problems([{ name: "mo.bile", fraction: 0.5 }, { name: "desktop", fraction: 0.5 }])).toMatch(
      line("clients.classes[0].name", `expected a class name: a letter, then letters, digits, '_' or '-', at most 32 characters; got "mo.bile"`),
    );
    const empty = problems([]);
    expect(empty).toMatch(line("clients.classes", "expected at least 1 item, got 0 items"));
    expect(count(empty)).toBe(1);
  });
});

describe("an entry's classes", () => {
  it("refuse a class the scenario does not have, suggesting the closest", () => {
    const message = problems(CLASSES, [{ id: "round-robin", classes: { mobil: "cookie-insert", tablet: "jump-hash" } }]);
    expect(message).toMatch(line("strategies[0].classes.mobil", 'no device class "mobil"; did you mean "mobile"? clients.classes has mobile, desktop'));
    expect(message).toMatch(line("strategies[0].classes.tablet", 'no device class "tablet"; clients.classes has mobile, desktop'));
    expect(count(message)).toBe(2);
  });

  it("refuse an unknown strategy, as an id or in an object", () => {
    expect(problems(CLASSES, [{ id: "round-robin", classes: { mobile: "cookie-insrt" } }])).toMatch(/^classes\.json:\d+:\d+: strategies\[0\]\.classes\.mobile: unknown strategy "cookie-insrt"; did you mean "cookie-insert"\?/m);
    expect(problems(CLASSES, [{ id: "round-robin", classes: { mobile: { id: "jump-hsh" } } }])).toMatch(/^classes\.json:\d+:\d+: strategies\[0\]\.classes\.mobile\.id: unknown strategy "jump-hsh"; did you mean "jump-hash"\?/m);
  });

  it("check a class's strategy options with the strategy's own schema", () => {
    expect(problems(CLASSES, [{ id: "round-robin", classes: { mobile: { id: "ring-hash", virtualNodez: 3 } } }])).toMatch(
      line("strategies[0].classes.mobile", 'unknown key "virtualNodez"; did you mean "virtualNodes"?'),
    );
  });

  it("refuse a store or label of a class's own, and a strategy that implies a store", () => {
    expect(problems(CLASSES, [{ id: "round-robin", classes: { mobile: { id: "ring-hash", store: { kind: "shared" } } } }])).toMatch(
      line("strategies[0].classes.mobile.store", `a class's strategy shares its entry's store and label; "store" belongs to the entry`),
    );
    expect(problems(CLASSES, [{ id: "round-robin", classes: { desktop: "shared-store" } }])).toMatch(
      line("strategies[0].classes.desktop", 'strategy "shared-store" implies its own session store, and a class shares its entry\'s; route the class with a strategy that implies none and give the entry the store'),
    );
  });

  it("refuse classes when the scenario defines none", () => {
    const message = problems(undefined, ["round-robin", { id: "round-robin", classes: { mobile: "cookie-insert" } }]);
    expect(message).toMatch(
      line("strategies[1].classes", 'the scenario has no device classes to route; define them in clients.classes ([{ "name": "mobile", "fraction": 0.4 }, ...]) or drop "classes"'),
    );
    expect(count(message)).toBe(1);
  });

  it("are not taken by a strategy event, which routes every class", () => {
    const text = JSON.stringify({ duration: "10m", clients: { classes: CLASSES }, servers: { count: 3 }, strategies: ["round-robin"], events: [{ at: "5m", strategy: { id: "jump-hash", classes: { mobile: "round-robin" } } }] });
    expect(() => parseScenario(text, "classes.json")).toThrow(/events\[0\]\.strategy: unknown key "classes"/);
  });
});

describe("lbsim with bad device classes", () => {
  it("validate and run exit 2, name each problem's JSON path, and write nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-classes-"));
    const file = join(dir, "bad-classes.json");
    writeFileSync(file, document([{ name: "mobile", fraction: 0.7 }, { name: "desktop", fraction: 0.6 }], [{ id: "round-robin", classes: { desktp: "cookie-insert" } }]));
    const out = join(dir, "out");
    for (const args of [["validate", file], ["run", file, "--out", out]]) {
      const r = lbsim(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad-classes\.json:\d+:\d+: clients\.classes: the classes' fractions add up to 1\.3; they must add up to 1/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
    expect(existsSync(out)).toBe(false);
  });

  it("report a mistyped class once the classes themselves are valid", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-classes-"));
    const file = join(dir, "bad-class-name.json");
    writeFileSync(file, document(CLASSES, [{ id: "round-robin", classes: { desktp: "cookie-insert" } }]));
    const r = lbsim(["run", file, "--out", join(dir, "out")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-class-name\.json:\d+:\d+: strategies\[0\]\.classes\.desktp: no device class "desktp"; did you mean "desktop"\?/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
