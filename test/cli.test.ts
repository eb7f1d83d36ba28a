import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { strategies } from "../sim/strategies/index.js";
import { lbsim, root } from "./cli-run.js";

const tmp = () => mkdtempSync(join(tmpdir(), "lbsim-cli-"));
const small = (dir: string, extra: Record<string, unknown> = {}) => {
  const file = join(dir, "small.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "small",
      duration: "10m",
      replications: 2,
      clients: { visitsPerSecond: 2, requestsPerVisit: 5, think: "5s", nat: { fraction: 0.3, groupSize: 20 } },
      servers: { count: 3 },
      strategies: ["round-robin", "nginx-ip-hash", "cookie-insert"],
      events: [{ at: "5m", crash: "s1" }],
      ...extra,
    }),
  );
  return file;
};

describe("lbsim run", () => {
  it("writes report.html, results.csv, results.json and the long-format CSVs and prints the summary", () => {
    const dir = tmp();
    const out = join(dir, "out");
    const r = lbsim(["run", small(dir), "--out", out]);
    // The small scenario has no warmup, which lbsim points out.
    expect(r.stderr).toMatch(/^lbsim: warning: the warmup \(0 s\) is shorter than the .* the users need to reach steady state/);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["events.csv", "metrics.csv", "replications.csv", "report.html", "results.csv", "results.json", "timeline.csv"]);
    expect(r.stdout).toMatch(/^small: seed 1, 2 replications/);
    for (const id of ["round-robin", "nginx-ip-hash", "cookie-insert"]) expect(r.stdout).toContain(id);
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(json).toMatchObject({ scenario: "small", seed: 1, replications: 2 });
    expect(json.results.map((x: { strategy: string }) => x.strategy)).toEqual(["round-robin", "nginx-ip-hash", "cookie-insert"]);
    expect(Object.keys(json.results[0].metrics)).toEqual([
      "requests", "failedRequests", "sessions", "lostSessions", "lostSessionRate", "lostByCause", "visits", "disruptedVisits", "disruptedVisitRate", "expiredSessions", "liveSessionsAtStart", "liveSessionsAtEnd", "remapRate",
      "loadSkew", "peakLoadSkew", "loadCov", "latencyMs", "affinityHitRate", "answeredPerSecond", "sessionsInUse", "peakSessionsHeld", "peakBytesHeld", "revocationSeconds", "cacheHitRate", "staleReads", "replicationBytesPerSecond", "peakReplicationBytesPerSecond", "utilisation", "peakUtilisation",
    ]);
    expect(json.results[0].events[0]).toMatchObject({ at: 300, action: "crash", server: "s1" });
    const csv = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(/^strategy,id,store,replications,requests,failedRequests,/);
  });

  it("--json prints the results JSON, --strategies and --seed and --replications override the scenario", () => {
    const dir = tmp();
    const r = lbsim(["run", small(dir), "--out", join(dir, "o"), "--json", "--strategies", "cookie-insert,round-robin", "--seed", "9", "--replications", "1"]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.seed).toBe(9);
    expect(json.replications).toBe(1);
    expect(json.results.map((x: { strategy: string }) => x.strategy)).toEqual(["cookie-insert", "round-robin"]);
    expect(r.stderr).toContain("small: seed 9, 1 replication ");
  });

  it("is deterministic: the same scenario and seed give byte-identical JSON and CSV; another seed changes them", () => {
    const dir = tmp();
    const file = small(dir);
    const read = (out: string) => [readFileSync(join(out, "results.json"), "utf8"), readFileSync(join(out, "results.csv"), "utf8")];
    expect(lbsim(["run", file, "--out", join(dir, "a")]).status).toBe(0);
    expect(lbsim(["run", file, "--out", join(dir, "b")]).status).toBe(0);
    expect(lbsim(["run", file, "--out", join(dir, "c"), "--seed", "2"]).status).toBe(0);
    const [a, b, c] = [read(join(dir, "a")), read(join(dir, "b")), read(join(dir, "c"))];
    expect(b[0]).toBe(a[0]);
    expect(b[1]).toBe(a[1]);
    expect(c[0]).not.toBe(a[0]);
    expect(c[1]).not.toBe(a[1]);
  });

  it("gives every strategy the same users and requests (common random numbers)", () => {
    const dir = tmp();
    // No crash: with nothing failing, every strategy sees exactly the same requests and sessions
    // would differ only through routing. Requests are counted when sent, so they match exactly.
    const r = lbsim(["run", small(dir, { events: [], strategies: ["round-robin", { id: "round-robin", label: "shared", store: { kind: "shared" } }] }), "--out", join(dir, "o"), "--json"]);
    const json = JSON.parse(r.stdout);
    const [local, shared] = json.results;
    expect(local.replications.map((m: { requests: number }) => m.requests)).toEqual(shared.replications.map((m: { requests: number }) => m.requests));
    expect(local.metrics.remapRate).toBeGreaterThan(0.5);
  });

  it("--baseline names the strategy the others are compared with; without it, the first", () => {
    const dir = tmp();
    const file = small(dir);
    const first = lbsim(["run", file, "--out", join(dir, "a"), "--json"]);
    expect(JSON.parse(first.stdout).baseline).toBe("round-robin");
    expect(first.stderr).toMatch(/^vs round-robin \(paired by replication/m);
    const r = lbsim(["run", file, "--out", join(dir, "b"), "--json", "--baseline", "cookie-insert"]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.baseline).toBe("cookie-insert");
    expect(json.results[2].vsBaseline.lostSessions).toMatchObject({ mean: 0, ci95: 0 });
    expect(json.results[0].vsBaseline.lostSessions.mean).not.toBe(0);
    expect(r.stderr).toMatch(/^vs cookie-insert \(paired by replication/m);
    expect(readFileSync(join(dir, "b", "results.csv"), "utf8").split("\n")[1]).toMatch(/,cookie-insert,/);
  });
});

describe("bad input", () => {
  const expectBadInput = (args: string[], message: string | RegExp, cwd?: string) => {
    const dir = tmp();
    const out = join(dir, "never");
    const r = lbsim([...args, "--out", out], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
    return r;
  };

  it("a missing file", () => {
    expectBadInput(["run", "no-such-file.json"], /no-such-file\.json/);
  });

  it("malformed JSON, with line and column", () => {
    const dir = tmp();
    const file = join(dir, "broken.json");
    writeFileSync(file, '{\n  "servers": { "count": 2 },\n  "strategies": ["round-robin",]\n}\n');
    expectBadInput(["run", file], /broken\.json:3:\d+/);
  });

  it("an unknown key, with a suggestion", () => {
    const dir = tmp();
    expectBadInput(["run", small(dir, { replicatoins: 2 })], /replicatoins.*did you mean "replications"/);
  });

  it("an unknown strategy id, listing the valid ones", () => {
    const dir = tmp();
    expectBadInput(["run", small(dir, { strategies: ["round-robbin"] })], /round-robbin.*expected one of: round-robin, .*nginx-ip-hash, .*cookie-insert, .*client-token/s);
  });

  it("an unknown strategy on the command line", () => {
    const dir = tmp();
    expectBadInput(["run", small(dir), "--strategies", "nope"], /--strategies: unknown strategy "nope"/);
  });

  it("a baseline that is not one of the strategies run, listing their labels", () => {
    const dir = tmp();
    expectBadInput(["run", small(dir), "--baseline", "maglev"], /^lbsim: --baseline: "maglev" is not one of the strategies run; their labels are "round-robin", "nginx-ip-hash", "cookie-insert"$/m);
    // --strategies picks the strategies first: a baseline it left out is not there.
    expectBadInput(["run", small(dir), "--strategies", "cookie-insert", "--baseline", "round-robin"], /their labels are "cookie-insert"$/m);
  });

  it("a bad option value", () => {
    const dir = tmp();
    expectBadInput(["run", small(dir), "--seed", "-3"], /--seed/);
  });
});

describe("lbsim validate and list", () => {
  it("validate says what a scenario describes", () => {
    const r = lbsim(["validate", "scenarios/quickstart.json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("scenarios/quickstart.json: ok");
    expect(r.stdout).toContain("servers: s1, s2, s3, s4; 8 workers each; sessions in local memory");
    expect(r.stdout).toContain("events: crash s2 at 30m, recover s2 at 40m");
  });

  it("validate rejects a bad scenario with exit code 2", () => {
    const dir = tmp();
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ servers: { count: 0 }, strategies: ["round-robin"] }));
    const r = lbsim(["validate", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("servers.count");
  });

  it("list names every strategy and bundled scenario; --json has the same content", () => {
    const text = lbsim(["list"]);
    expect(text.status).toBe(0);
    const json = JSON.parse(lbsim(["list", "--json"]).stdout);
    expect(json.strategies.map((s: { id: string }) => s.id)).toEqual(strategies.map((s) => s.id));
    for (const s of json.strategies) expect(text.stdout).toContain(s.id);
    const bundled = readdirSync(join(root, "scenarios")).filter((f) => f.endsWith(".json") && f !== "lbsim.schema.json");
    expect(json.scenarios.map((s: { file: string }) => s.file.split("/").pop()).sort()).toEqual(bundled.sort());
  });

  it("--help lists the commands", () => {
    const r = lbsim(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: lbsim");
    for (const command of ["run", "validate", "list"]) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });
});
