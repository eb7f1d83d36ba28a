import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../sim/scenario/errors.js";
import { parseScenario } from "../sim/scenario/load.js";
import { scenarioSchema } from "../sim/scenario/schema.js";
import { lbsim, root } from "./cli-run.js";

/** No name (so named after its file) and no seed (the default); the same strategy twice, so the second is labelled round-robin#2. */
const SCENARIO = {
  duration: "4m",
  warmup: "1m",
  warmStart: true,
  replications: 3,
  clients: { visitsPerSecond: 2, think: { dist: "exponential", mean: "5s" }, nat: { fraction: 0.3, groupSize: 4 } },
  servers: { count: 2 },
  strategies: ["round-robin", "round-robin", { id: "ring-hash", virtualNodes: 50 }],
  events: [{ at: "2m", crash: "s1" }, { at: "3m", recover: "s1" }],
};

const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
let dir = "";
let file = "";
const read = (out: string, name: string) => readFileSync(join(out, name), "utf8");
/** Runs lbsim and expects it to succeed without a word on stderr. */
const ok = (args: string[]) => {
  const r = lbsim([...args, "--quiet", "--workers", "2"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lbsim-reproduce-"));
  file = join(dir, "shop-floor.json");
  writeFileSync(file, JSON.stringify(SCENARIO, null, 2));
});

describe("results.json embeds the scenario it ran", () => {
  const flags = ["--seed", "7", "--replications", "2", "--set", "servers.count=3", "--set", "strategies[2].virtualNodes=80", "--strategies", "round-robin#2,ring-hash,random", "--baseline", "ring-hash"];
  let first = "";

  beforeAll(() => {
    first = join(dir, "first");
    ok(["run", file, ...flags, "--out", first]);
  });

  it("with every override applied, the strategies run as written, the name written out, and the lbsim version", () => {
    const json = JSON.parse(read(first, "results.json"));
    expect(json.lbsim).toEqual({ version });
    expect(Object.keys(json)[0]).toBe("lbsim");
    expect(json.scenarioDocument).toEqual({
      ...SCENARIO,
      name: "shop-floor",
      seed: 7,
      replications: 2,
      servers: { count: 3 },
      // The selected entries in the order named: the second round-robin keeps its label, ring-hash its --set option, random is a default-options strategy.
      strategies: [{ id: "round-robin", label: "round-robin#2" }, { id: "ring-hash", virtualNodes: 80 }, "random"],
    });
    expect(Object.keys(json.scenarioDocument)[0]).toBe("name");
    expect(json.results.map((r: { strategy: string }) => r.strategy)).toEqual(["round-robin#2", "ring-hash", "random"]);
    expect(json.baseline).toBe("ring-hash");
  });

  it("that the scenario schema accepts, and the loader loads into the scenario run", () => {
    const document = JSON.parse(read(first, "results.json")).scenarioDocument;
    expect(scenarioSchema.safeParse(document).success).toBe(true);
    const loaded = parseScenario(JSON.stringify(document), "anything.json");
    expect([loaded.name, loaded.seed, loaded.replications, loaded.servers.list.length]).toEqual(["shop-floor", 7, 2, 3]);
    expect(loaded.strategies.map((e) => [e.label, e.id])).toEqual([["round-robin#2", "round-robin"], ["ring-hash", "ring-hash"], ["random", "random"]]);
  });

  it("lbsim run results.json runs it again: byte-identical results.json and CSVs, the same baseline", () => {
    const again = join(dir, "again");
    ok(["run", join(first, "results.json"), "--out", again]);
    expect(readdirSync(again).sort()).toEqual(readdirSync(first).sort());
    for (const name of readdirSync(first)) expect(read(again, name), name).toBe(read(first, name));
  });

  it("the embedded document alone, as a scenario file, gives the same results (the baseline, a flag, given again)", () => {
    const extracted = join(dir, "extracted.json");
    writeFileSync(extracted, JSON.stringify(JSON.parse(read(first, "results.json")).scenarioDocument));
    const out = join(dir, "extracted");
    ok(["run", extracted, "--baseline", "ring-hash", "--out", out]);
    expect(read(out, "results.json")).toBe(read(first, "results.json"));
  });

  it("takes flags on top: --set applies to the embedded scenario, and a baseline not run falls back to the first", () => {
    const out = join(dir, "changed");
    ok(["run", join(first, "results.json"), "--strategies", "random,round-robin#2", "--set", "servers.count=4", "--out", out]);
    const json = JSON.parse(read(out, "results.json"));
    expect(json.scenarioDocument.servers).toEqual({ count: 4 });
    expect(json.scenarioDocument.strategies).toEqual(["random", { id: "round-robin", label: "round-robin#2" }]);
    expect(json.baseline).toBe("random");
  });

  it("warns when another version of lbsim wrote the results", () => {
    const json = JSON.parse(read(first, "results.json"));
    const older = join(dir, "older.json");
    writeFileSync(older, JSON.stringify({ ...json, lbsim: { version: "0.0.1" } }, null, 2));
    const r = lbsim(["run", older, "--out", join(dir, "older"), "--quiet"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`lbsim: warning: this results.json was written by lbsim 0.0.1; this is lbsim ${version}, whose results may differ\n`);
  });

  it("refuses results that do not embed their scenario, and locates mistakes inside the embedded one", () => {
    const json = JSON.parse(read(first, "results.json"));
    const { scenarioDocument: _document, lbsim: _lbsim, ...older } = json;
    expect(() => parseScenario(JSON.stringify(older, null, 2), "old.json")).toThrow(new InputError("old.json", [{ path: "", message: "this is lbsim's results.json from a version that did not record the scenario it ran; run the scenario file itself" }]));
    const broken = JSON.stringify({ ...json, scenarioDocument: { ...json.scenarioDocument, servers: { count: 0 } } }, null, 2);
    const line = broken.split("\n").findIndex((l) => l.includes('"count": 0')) + 1;
    expect(() => parseScenario(broken, "results.json")).toThrow(`results.json:${line}:16: scenarioDocument.servers.count: expected a number >= 1, got 0`);
  });
});

describe("sweep.json embeds the base scenario and the grid", () => {
  const flags = ["--vary", "servers.count=2,3", "--vary", 'warmup="30s",45', "--set", "clients.visitsPerSecond=3", "--strategies", "ring-hash,round-robin#2", "--replications", "2"];
  let first = "";

  beforeAll(() => {
    first = join(dir, "sweep-first");
    ok(["sweep", file, ...flags, "--out", first]);
  });

  it("with the flags' overrides but not the points' values, every entry of the file, the --strategies names and the lbsim version", () => {
    const json = JSON.parse(read(first, "sweep.json"));
    expect(json.lbsim).toEqual({ version });
    expect(json.strategies).toEqual(["ring-hash", "round-robin#2"]);
    expect(json.vary).toEqual([{ path: "servers.count", values: [2, 3] }, { path: "warmup", values: ["30s", 45] }]);
    expect(json.scenarioDocument).toEqual({ name: "shop-floor", ...SCENARIO, replications: 2, clients: { ...SCENARIO.clients, visitsPerSecond: 3 } });
    // Each point's result embeds the point's own scenario.
    expect(json.points[3].result.scenarioDocument).toMatchObject({ servers: { count: 3 }, warmup: 45, strategies: [{ id: "ring-hash", virtualNodes: 50 }, { id: "round-robin", label: "round-robin#2" }] });
  });

  it("lbsim sweep sweep.json runs the grid again: every file byte-identical", () => {
    const again = join(dir, "sweep-again");
    ok(["sweep", join(first, "sweep.json"), "--out", again]);
    expect(readdirSync(again).sort()).toEqual(readdirSync(first).sort());
    for (const name of readdirSync(first)) expect(read(again, name), name).toBe(read(first, name));
  });

  it("a point's embedded scenario is what lbsim run gives it", () => {
    const point = JSON.parse(read(first, "sweep.json")).points[1].result;
    const pointFile = join(dir, "point.json");
    writeFileSync(pointFile, JSON.stringify(point));
    const out = join(dir, "point");
    ok(["run", pointFile, "--out", out]);
    expect(JSON.parse(read(out, "results.json"))).toEqual(point);
  });

  it("without --vary, needs a sweep.json", () => {
    const r = lbsim(["sweep", file, "--out", join(dir, "no-grid")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lbsim: --vary: give at least one PATH=VALUES, e.g. --vary servers.count=2,4,8 (or a sweep.json lbsim wrote, to run its grid again)\n");
  });
});
