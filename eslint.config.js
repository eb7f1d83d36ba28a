// @ts-check
// Lint config. Besides typescript-eslint's recommended rules it enforces the architecture of
// DESIGN.md ("Layout" and "Data flows one way") so a wrong import fails `npm run lint`:
//
//   scenario file -> validated Scenario -> simulation run -> Result -> reports
//   "The engine never imports the model; the model never imports reports;
//    strategies never see the engine."
//
// Import rules are regexes over the import string. Imports inside sim/ are relative
// ("../engine/engine.js", "../../sim/model/x.js"), so each rule matches a folder name that
// follows a "../" or "sim/" segment, at any depth. Flat config does not merge the options of
// one rule across config objects (the last match wins), so every folder's list is composed
// below from the sim-wide list plus its own. Dynamic import() and `import("…")` types are
// checked with the same regexes through no-restricted-syntax.
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

const TS_FILES = ["cli.ts", "cli/**/*.ts", "sim/**/*.ts", "reports/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"];

const ONE_WAY = 'DESIGN "Data flows one way": scenario file -> validated Scenario -> simulation run -> Result -> reports';

/** @typedef {{ regex: string, message: string }} Restriction */

/** @type {Restriction[]} everything in sim/ */
const SIM = [
  {
    regex: String.raw`^\.\.?/(?:.*/)?reports(?:[./]|$)`,
    message: `sim/ may not import reports/. ${ONE_WAY}; "the model never imports reports", and "sim/ is the simulator as a library; the CLI and reports only call into it".`,
  },
  {
    regex: String.raw`^\.\.?/(?:.*/)?cli(?:\.[cm]?[jt]s|/.*)?$`,
    message: `sim/ may not import cli.ts or cli/. DESIGN "Layout": "sim/ is the simulator as a library; the CLI and reports only call into it".`,
  },
];

/** A file directly in a sim/ folder importing "..", "../" or "../index.js" reaches the sim/ barrel, which re-exports everything. */
const barrel = (/** @type {string} */ rule) => ({
  regex: String.raw`^\.\.(?:/(?:index(?:\.[cm]?[jt]s)?)?)?$|(?:^|/)sim(?:/(?:index(?:\.[cm]?[jt]s)?)?)?$`,
  message: `The sim/ barrel re-exports the whole simulator. ${rule}`,
});

const ENGINE_RULE =
  'DESIGN: "engine/: clock, event queue, seeded random streams: knows nothing of load balancing" and "The engine never imports the model". sim/engine/ may import only sim/engine/ and packages.';

/** @type {Restriction[]} */
const ENGINE = [
  ...SIM,
  {
    regex: String.raw`(?:^|/)(?:\.\.|sim)/(?:model|strategies|metrics|scenario)(?:[./]|$)`,
    message: `sim/engine/ may not import sim/model, sim/strategies, sim/metrics or sim/scenario. ${ENGINE_RULE}`,
  },
  barrel(ENGINE_RULE),
];

const STRATEGY_RULE =
  'DESIGN: "strategies never see the engine"; a strategy sees only the routing view the balancer gives it (sim/strategies/define.ts) and returns a server index.';

/** @type {Restriction[]} */
const STRATEGIES = [
  ...SIM,
  {
    regex: String.raw`(?:^|/)(?:\.\.|sim)/(?:engine|model|metrics|scenario)(?:[./]|$)`,
    message: `sim/strategies/ may not import sim/engine, sim/model, sim/metrics or sim/scenario. ${STRATEGY_RULE}`,
  },
  barrel(STRATEGY_RULE),
];

/** @type {Restriction[]} */
const REPORTS = [
  {
    regex: String.raw`(?:^|/)sim/(?:model|engine)(?:[./]|$)`,
    message: `reports/ may not import sim/model or sim/engine. ${ONE_WAY}: reports take a Result (types from sim/metrics and sim/scenario).`,
  },
];

/** The rules that enforce one list of restrictions, for static imports/exports and for import() expressions and types. */
function restrict(/** @type {Restriction[]} */ list) {
  const selector = (/** @type {string} */ node, /** @type {string} */ path, /** @type {string} */ regex) =>
    `${node}[${path}=/${regex.replaceAll("/", "\\/")}/]`;
  return {
    "no-restricted-imports": ["error", { patterns: list.map(({ regex, message }) => ({ regex, message, caseSensitive: true })) }],
    "no-restricted-syntax": [
      "error",
      ...list.flatMap(({ regex, message }) => [
        { selector: selector("ImportExpression", "source.value", regex), message },
        { selector: selector("TSImportType", "source.value", regex), message },
      ]),
    ],
  };
}

const CHANCE = 'sim/ may not use this: DESIGN "Randomness comes only from seeded streams … The same seed gives byte-identical results"; every source of chance is a seeded stream from sim/engine/random.ts.';
const PRINTS = "sim/ never prints or exits: it is a library (DESIGN \"Layout\": the CLI and reports only call into it). Return data; cli.ts and reports/ print.";

export default defineConfig([
  globalIgnores(["dist/", "node_modules/", "lbsim-out/", "coverage/"]),

  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
    rules: {
      // Strategy registries hold StrategyDef<any>; the schema code walks JSON Schema as any.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },

  // ---- architecture -------------------------------------------------------------------
  {
    files: ["sim/**/*.ts"],
    rules: {
      ...restrict(SIM),
      // no-console takes no message, so console is banned as a global (also catches `const log = console`).
      "no-restricted-globals": ["error", { name: "console", message: PRINTS }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "stdout", message: PRINTS },
        { object: "process", property: "stderr", message: PRINTS },
        { object: "process", property: "exit", message: PRINTS },
        { object: "Math", property: "random", message: CHANCE },
        { object: "crypto", property: "getRandomValues", message: CHANCE },
        { object: "crypto", property: "randomUUID", message: CHANCE },
        { object: "crypto", property: "randomBytes", message: CHANCE },
        { object: "crypto", property: "randomInt", message: CHANCE },
      ],
    },
  },
  { files: ["sim/engine/**/*.ts"], rules: restrict(ENGINE) },
  { files: ["sim/strategies/**/*.ts"], rules: restrict(STRATEGIES) },
  { files: ["reports/**/*.ts"], rules: restrict(REPORTS) },
]);
