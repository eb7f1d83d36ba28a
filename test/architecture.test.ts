// The architecture rules of DESIGN.md ("Layout", "Data flows one way") live in eslint.config.js.
// These tests lint in-memory snippets as if they were files in each folder, so a rule that
// silently stops matching (a typo in a regex, a folder renamed, a config object overriding
// another) fails here rather than letting a wrong import through.
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ESLint, type Linter } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** Lints `code` as the file `path` (relative to the project root) and returns its problems. */
async function lint(path: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages;
}

/** The problems of the architecture rules only (not e.g. unused-vars on the snippet). */
async function violations(path: string, code: string) {
  const architecture = new Set([
    "no-restricted-imports",
    "no-restricted-syntax",
    "no-restricted-globals",
    "no-restricted-properties",
  ]);
  const problems = await lint(path, code);
  // A parse error would make every "not reported" test pass vacuously.
  expect(problems.filter((p) => p.fatal)).toEqual([]);
  return problems.filter((p) => p.ruleId !== null && architecture.has(p.ruleId));
}

/** Expects exactly one architecture problem whose message contains every fragment. */
async function expectForbidden(path: string, code: string, ...fragments: string[]) {
  const found = await violations(path, code);
  expect(found, `${path}: ${code}`).toHaveLength(1);
  expect(found[0].severity).toBe(2);
  for (const fragment of fragments) expect(found[0].message).toContain(fragment);
}

async function expectAllowed(path: string, code: string) {
  expect(await violations(path, code), `${path}: ${code}`).toEqual([]);
}

const use = (specifier: string) => `import { x } from "${specifier}";\nexport const y = x;\n`;

describe("sim/engine knows nothing of load balancing", () => {
  const file = "sim/engine/engine.ts";
  const nested = "sim/engine/deep/er/thing.ts";

  it.each([
    [file, "../model/simulation.js"],
    [file, "../strategies/index.js"],
    [file, "../metrics/collector.js"],
    [file, "../scenario/scenario.js"],
    [file, "../../sim/model/servers.js"],
    [nested, "../../../model/servers.js"],
    [nested, "../../../../sim/scenario/schema.js"],
  ])("%s may not import %s", async (path, specifier) => {
    await expectForbidden(path, use(specifier), "sim/engine/ may not import", "The engine never imports the model");
  });

  it.each(["..", "../", "../index.js", "../../sim/index.js"])("may not reach the model through the sim/ barrel %s", async (specifier) => {
    await expectForbidden(file, use(specifier), "barrel", "The engine never imports the model");
  });

  it("may not import reports/ or cli", async () => {
    await expectForbidden(file, use("../../reports/html.js"), "sim/ may not import reports/", "Data flows one way");
    await expectForbidden(file, use("../../cli.js"), "sim/ may not import cli.ts");
    await expectForbidden(file, use("../../cli/run.js"), "sim/ may not import cli.ts or cli/");
  });

  it("may import its own files and packages", async () => {
    await expectAllowed(file, use("./event-queue.js"));
    await expectAllowed(file, use("seedrandom"));
    await expectAllowed(nested, use("../random.js"));
    await expectAllowed(nested, use("../../engine/random.js"));
  });
});

describe("strategies never see the engine", () => {
  const file = "sim/strategies/maglev.ts";

  it.each([
    "../engine/engine.js",
    "../engine/random.js",
    "../model/balancer.js",
    "../metrics/result.js",
    "../scenario/scenario.js",
    "../../sim/engine/engine.js",
  ])("may not import %s", async (specifier) => {
    await expectForbidden(file, use(specifier), "sim/strategies/ may not import", "strategies never see the engine");
  });

  it("is also caught for type-only imports, re-exports, import = require, import() and import types", async () => {
    const why = "strategies never see the engine";
    await expectForbidden(file, `import type { Engine } from "../engine/engine.js";\nexport type E = Engine;\n`, why);
    await expectForbidden(file, `export { Engine } from "../engine/engine.js";\n`, why);
    await expectForbidden(file, `export * from "../model/balancer.js";\n`, why);
    await expectForbidden(file, `import engine = require("../engine/engine.js");\nexport const e = engine;\n`, why);
    await expectForbidden(file, `export const load = () => import("../engine/engine.js");\n`, why);
    await expectForbidden(file, `export type E = import("../engine/engine.js").Engine;\n`, why);
  });

  it("may not reach the engine through the sim/ barrel", async () => {
    await expectForbidden(file, use("../index.js"), "barrel", "strategies never see the engine");
  });

  it("may import each other and packages", async () => {
    await expectAllowed(file, use("./define.js"));
    await expectAllowed(file, use("./smooth-weighted-round-robin.js"));
    await expectAllowed(file, use("zod"));
    await expectAllowed("sim/strategies/maglev/table.ts", use("../define.js"));
  });
});

describe("sim/ is a library that never prints and draws chance only from seeded streams", () => {
  it.each(["sim/model/simulation.ts", "sim/metrics/collector.ts", "sim/scenario/load.ts", "sim/run.ts", "sim/engine/engine.ts", "sim/strategies/round-robin.ts"])(
    "%s may not import reports/ or cli",
    async (path) => {
      const up = "../".repeat(path.split("/").length - 1);
      await expectForbidden(path, use(`${up}reports/html.js`), "sim/ may not import reports/", "Data flows one way");
      await expectForbidden(path, use(`${up}reports/index.js`), "the model never imports reports");
      await expectForbidden(path, use(`${up}cli.js`), "sim/ may not import cli.ts");
      await expectForbidden(path, `export const r = () => import("${up}reports/html.js");\n`, "sim/ may not import reports/");
    },
  );

  it.each(["sim/model/clients.ts", "sim/engine/random.ts", "sim/strategies/round-robin.ts", "sim/run.ts"])("%s may not use Math.random", async (path) => {
    await expectForbidden(path, "export const pick = () => Math.random();\n", "Randomness comes only from seeded streams");
    await expectForbidden(path, "const { random } = Math;\nexport const pick = () => random();\n", "seeded stream");
    await expectForbidden(path, "export const id = () => crypto.randomUUID();\n", "seeded stream");
  });

  it.each(["sim/model/simulation.ts", "sim/metrics/collector.ts", "sim/index.ts"])("%s may not print or exit", async (path) => {
    await expectForbidden(path, 'console.log("hello");\n', "sim/ never prints");
    await expectForbidden(path, 'console.error("oops");\n', "sim/ never prints");
    await expectForbidden(path, "export const log = console;\n", "sim/ never prints");
    await expectForbidden(path, 'process.stdout.write("x");\n', "sim/ never prints");
    await expectForbidden(path, 'process.stderr.write("x");\n', "sim/ never prints");
    await expectForbidden(path, "process.exit(2);\n", "sim/ never prints or exits");
  });

  it("lets the model use the engine, metrics, scenario and strategies", async () => {
    const file = "sim/model/simulation.ts";
    await expectAllowed(file, use("../engine/engine.js"));
    await expectAllowed(file, use("../engine/random.js"));
    await expectAllowed(file, use("../metrics/collector.js"));
    await expectAllowed(file, use("../scenario/scenario.js"));
    await expectAllowed(file, use("../strategies/index.js"));
    await expectAllowed(file, use("./balancer.js"));
  });

  it("lets the scenario use the strategy registry, and sim/ use seeded streams", async () => {
    await expectAllowed("sim/scenario/schema.ts", use("../strategies/index.js"));
    await expectAllowed("sim/scenario/schema.ts", use("./duration.js"));
    await expectAllowed("sim/run.ts", use("./model/simulation.js"));
    await expectAllowed("sim/model/clients.ts", "export const pick = (random: { random(): number }) => random.random();\n");
  });
});

describe("reports take a Result", () => {
  it.each([
    ["reports/html.ts", "../sim/model/simulation.js"],
    ["reports/html.ts", "../sim/engine/engine.js"],
    ["reports/charts/lines.ts", "../../sim/model/servers.js"],
  ])("%s may not import %s", async (path, specifier) => {
    await expectForbidden(path, use(specifier), "reports/ may not import sim/model or sim/engine", "Data flows one way");
  });

  it("may import types from sim/metrics and sim/scenario", async () => {
    await expectAllowed("reports/html.ts", `import type { Result } from "../sim/metrics/result.js";\nexport type R = Result;\n`);
    await expectAllowed("reports/csv.ts", use("../sim/metrics/summary.js"));
    await expectAllowed("reports/html.ts", `import type { Scenario } from "../sim/scenario/scenario.js";\nexport type S = Scenario;\n`);
    await expectAllowed("reports/table.ts", use("./csv.js"));
  });
});

describe("outside sim/", () => {
  it("cli, tests, bench and scripts may print and import anything", async () => {
    await expectAllowed("cli.ts", `import { run } from "./sim/model/simulation.js";\nconsole.log(run);\nprocess.exit(0);\n`);
    await expectAllowed("test/x.test.ts", `import { Engine } from "../sim/engine/engine.js";\nconsole.log(Engine, Math.random());\n`);
    await expectAllowed("bench/bench.ts", `import { Engine } from "../sim/engine/engine.js";\nprocess.stdout.write(String(Engine));\n`);
    await expectAllowed("scripts/write-schema.ts", `import { x } from "../reports/html.js";\nconsole.log(x);\n`);
  });
});

describe("base rules", () => {
  it("apply typescript-eslint's recommended rules, allow any and _unused", async () => {
    const problems = await lint(
      "sim/strategies/index.ts",
      "export const defs: any[] = [];\nexport function f(_unused: number, used: number) {\n  const _skip = 1;\n  return used;\n}\nconst unused = 2;\n",
    );
    expect(problems.map((p) => [p.ruleId, p.line])).toEqual([["@typescript-eslint/no-unused-vars", 6]]);
  });
});

describe("the real tree", () => {
  it("has no lint errors", async () => {
    const results = await eslint.lintFiles(["."]);
    const errors = results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath.slice(root.length)}:${m.line}:${m.column} ${m.ruleId ?? "fatal"} ${m.message}`),
    );
    expect(errors).toEqual([]);
    // Guards against a config that lints nothing (for example a `files` glob that no longer matches).
    expect(results.map((r) => r.filePath.slice(root.length))).toEqual(
      expect.arrayContaining(["cli.ts", "sim/engine/engine.ts", "sim/strategies/index.ts"]),
    );
  });
});
