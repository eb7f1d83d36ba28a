import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lbsim } from "./cli-run.js";

const tmp = () => mkdtempSync(join(tmpdir(), "lbsim-hostile-"));
const write = (dir: string, scenario: Record<string, unknown>) => {
  const file = join(dir, "s.json");
  writeFileSync(file, JSON.stringify({ duration: "2m", replications: 1, clients: { visitsPerSecond: 1 }, servers: { count: 2 }, strategies: ["round-robin"], ...scenario }));
  return file;
};

/** Runs lbsim in a fresh working folder; returns the outcome and every entry the folder holds afterwards. */
function inFreshFolder(args: (dir: string) => string[]) {
  const dir = tmp();
  const cwd = join(dir, "a", "b");
  mkdirSync(cwd, { recursive: true });
  const r = lbsim(args(dir), { cwd });
  return { ...r, dir, cwd, entries: (path: string) => (existsSync(path) ? readdirSync(path).sort() : null) };
}

describe("lbsim never writes where it should not", () => {
  it.each(["../../escaped", "..", "."])("a scenario named %j is refused before anything is written", (name) => {
    const r = inFreshFolder((dir) => ["run", write(dir, { name })]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/s\.json:1:\d+: name: expected a name of letters, digits/);
    expect(r.entries(r.cwd)).toEqual([]);
    expect(r.entries(join(r.dir, "a"))).toEqual(["b"]);
    expect(r.entries(r.dir)).toEqual(["a", "s.json"]);
  });

  it("--out naming a file, a path under a file, or nothing is bad input, checked before simulating", () => {
    const dir = tmp();
    const file = join(dir, "file.txt");
    writeFileSync(file, "keep");
    for (const out of [file, join(file, "under"), ""]) {
      const r = lbsim(["run", write(dir, {}), "--out", out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^lbsim: --out /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--out under /proc fails at once instead of spinning", () => {
    const r = lbsim(["run", write(tmp(), {}), "--out", "/proc/lbsim-out"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lbsim: --out \/proc\/lbsim-out: cannot write in \/proc/);
  });
});

describe("budgets from the command line", () => {
  it("validate prints the estimate; a budget it exceeds is exit 2 naming the flag", () => {
    const dir = tmp();
    const ok = lbsim(["validate", write(dir, {})]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/\nload: about [\d.]+ requests\/s offered in steady state, against at most [\d,]+ the servers can answer \(utilisation about \d+%\)\n/);
    expect(ok.stdout).toMatch(/\nestimate: 1 run of about [\d,]+ requests, .* events in all, .* users at once; about .* of memory and .* of output\n/);
    expect(ok.stdout).toMatch(/\nwarning: the warmup \(0 s\) is shorter than/);
    const over = lbsim(["validate", write(dir, { clients: { visitsPerSecond: 1e6 } })]);
    expect(over.status).toBe(2);
    expect(over.stderr).toMatch(/^lbsim: .*s\.json: valid, but the run needs about .* of memory .* more than --max-memory 4 GiB/);
  });

  it("run refuses a year of traffic, writes nothing, and --max-events raises the limit", () => {
    const dir = tmp();
    const out = join(dir, "out");
    // Hour-long load windows: a year of 60 s windows would also write more than --max-output allows.
    const file = write(dir, { duration: "365d", clients: { visitsPerSecond: 10 }, metrics: { window: "1h" } });
    const r = lbsim(["run", file, "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/implies about .* events .* more than --max-events 2 billion/);
    expect(existsSync(out)).toBe(false);
    expect(lbsim(["validate", file, "--max-events", "1e12"]).status).toBe(0);
  });

  it("rejects malformed budget flags", () => {
    const r = lbsim(["run", write(tmp(), {}), "--max-memory", "lots"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lbsim: option '--max-memory <size>' argument 'lots' is invalid\. --max-memory expects a size such as 512MiB/);
  });
});

describe("command-line mistakes", () => {
  it("--seed and --replications meet the scenario schema's bounds, named by their flag", () => {
    const file = write(tmp(), {});
    const r = lbsim(["run", file, "--replications", "1001", "--seed", "-1"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lbsim: --seed: expected a number >= 0, got -1\n--replications: expected a number <= 1000, got 1001\n");
  });

  it("read like every other lbsim error and point to --help instead of printing it", () => {
    const r = lbsim(["run", "--replications", "many", "x.json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`lbsim: option '--replications <n>' argument 'many' is invalid. --replications expects a number, got "many"\n(add --help for usage)\n`);
    expect(lbsim(["frobnicate"]).stderr).toBe("lbsim: unknown command 'frobnicate'\n(add --help for usage)\n");
  });

  it("--strategies keeps the order asked for and runs exactly the entries named", () => {
    const dir = tmp();
    const file = write(dir, { strategies: ["ring-hash", { id: "ring-hash", virtualNodes: 10 }, "maglev"] });
    const r = lbsim(["run", file, "--out", join(dir, "out"), "--json", "--strategies", "maglev,ring-hash#2"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { strategy: string }) => x.strategy)).toEqual(["maglev", "ring-hash#2"]);
  });
});
