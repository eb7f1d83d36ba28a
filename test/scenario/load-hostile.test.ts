// Input built to break the loader rather than to describe a deployment: each must end in an
// InputError naming the file and where, never a crash, a hang or a silently accepted value.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { loadScenarioFile, MAX_SCENARIO_BYTES, parseScenario } from "../../sim/scenario/load.js";
import { findDeepNesting } from "../../sim/scenario/nesting.js";

const FILE = "scenarios/bad.json";

/** The InputError lines `run` throws. */
function failure(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message.split("\n");
  }
  throw new Error("expected an InputError");
}

const problems = (text: string) => failure(() => parseScenario(text, FILE));

/** A valid scenario's text; `extra` is written in before the last key so it lands on line 2. */
function scenario(extra = ""): string {
  return `{ "servers": { "count": 2 },\n  ${extra}"strategies": ["round-robin"] }`;
}

describe("deeply nested JSON", () => {
  it("is refused at the bracket that passes 64 levels, before any recursive parser sees it", () => {
    expect(problems("[".repeat(1830) + "]".repeat(1830))).toEqual([`${FILE}:1:65: objects and arrays nested deeper than 64 levels; a scenario needs only a few`]);
    expect(problems('{"a":'.repeat(5000) + "1" + "}".repeat(5000))).toEqual([
      `${FILE}:1:321: objects and arrays nested deeper than 64 levels; a scenario needs only a few`,
    ]);
  });

  it("is refused even when the brackets never close", () => {
    expect(problems(scenario(`"x": ${"[".repeat(100_000)}`))).toEqual([`${FILE}:2:71: objects and arrays nested deeper than 64 levels; a scenario needs only a few`]);
  });

  it("counts no closer of the wrong kind, which the parser skips without leaving its object", () => {
    // Each `]` is skipped as a syntax error inside an object, so the objects nest 3000 deep.
    expect(problems('{"a":' + '{],"a":'.repeat(3000) + "1" + "}".repeat(3000))[0]).toMatch(/^scenarios\/bad\.json:1:\d+: objects and arrays nested deeper than 64 levels/);
  });

  it("allows 64 levels", () => {
    expect(findDeepNesting("[".repeat(64) + "]".repeat(64))).toBeUndefined();
    expect(problems(scenario(`"x": ${"[".repeat(63)}${"]".repeat(63)}, `))).toEqual([`${FILE}:2:3: (root): unknown key "x"; valid keys here: ${KEYS}`]);
  });

  it("does not count brackets in strings, escaped quotes or comments", () => {
    const brackets = "[{".repeat(100);
    expect(findDeepNesting(`["${brackets}", "\\"${brackets}", "\\\\", []]`)).toBeUndefined();
    expect(findDeepNesting(`// ${brackets}\n/* ${brackets} */ []`)).toBeUndefined();
    // A string ends at a line break, as the parser's scanner ends it, so what follows counts.
    expect(findDeepNesting(`"open\n${"[".repeat(65)}`)).toBe(6 + 64);
    expect(findDeepNesting(`"\\\\"${"[".repeat(65)}`)).toBe(4 + 64);
  });
});

describe("a line of garbage with a syntax error every few characters", () => {
  it("is answered at once with its first error, not after wording every one (found by test/fuzz)", () => {
    // 250,000 missing commas on one line: each error's message used to rescan the text from its start.
    const started = performance.now();
    expect(problems("[" + '"x" '.repeat(250_000) + "]")).toEqual([`${FILE}:1:6: expected a comma or closing bracket`]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("files that never end or are far too large", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbsim-hostile-"));
  const tooLarge = "the file is larger than 16 MiB; a scenario is a few kilobytes";

  it("caps a scenario at 16 MiB", () => {
    expect(MAX_SCENARIO_BYTES).toBe(16 * 1024 * 1024);
  });

  it.skipIf(!existsSync("/dev/zero"))("stops reading /dev/zero", () => {
    expect(failure(() => loadScenarioFile("/dev/zero"))).toEqual([`/dev/zero: ${tooLarge}`]);
  });

  it("refuses a regular file past the cap", () => {
    const file = join(dir, "huge.json");
    writeFileSync(file, "");
    truncateSync(file, MAX_SCENARIO_BYTES + 1); // sparse: takes no disk space
    expect(failure(() => loadScenarioFile(file))).toEqual([`${file}: ${tooLarge}`]);
  });

  it("says how to run the scenario of lbsim's results past the cap", () => {
    const file = join(dir, "results.json");
    writeFileSync(file, '{\n  "lbsim": {\n    "version": "0.1.0"\n  },\n');
    truncateSync(file, MAX_SCENARIO_BYTES + 1);
    expect(failure(() => loadScenarioFile(file))).toEqual([
      `${file}: lbsim's results are read for their scenario up to 16 MiB, and this file is larger than 16 MiB; run its scenarioDocument (jq .scenarioDocument ${file} > scenario.json), with --baseline as its results name it`,
    ]);
  });

  it.skipIf(process.platform === "win32")("reads a scenario from a FIFO", async () => {
    const source = join(dir, "source.json");
    const fifo = join(dir, "fifo.json");
    writeFileSync(source, scenario());
    await exit(spawn("mkfifo", [fifo]));
    const writer = spawn("sh", ["-c", 'cat "$0" > "$1"', source, fifo]);
    expect(loadScenarioFile(fifo).servers.list).toHaveLength(2);
    await exit(writer);
  });
});

function exit(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => child.on("error", reject).on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))));
}

describe("files that are not UTF-8 text", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbsim-encoding-"));
  const write = (name: string, bytes: Uint8Array) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const utf16le = Buffer.from(scenario(), "utf16le");
  const utf16be = Buffer.from(utf16le).swap16();

  it.each([
    ["UTF-16LE with a byte order mark", Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le])],
    ["UTF-16BE with a byte order mark", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be])],
    ["UTF-16LE without one", utf16le],
    ["UTF-16BE without one", utf16be],
  ])("says %s is UTF-16 and must be saved as UTF-8", (_, bytes) => {
    const file = write("utf16.json", bytes);
    expect(failure(() => loadScenarioFile(file))).toEqual([`${file}: the file is UTF-16 text; save it as UTF-8`]);
  });

  it("accepts UTF-8 with a byte order mark", () => {
    const file = write("bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(scenario())]));
    expect(loadScenarioFile(file).servers.list).toHaveLength(2);
  });

  it("points at the first byte that is not UTF-8", () => {
    // "café" saved as Latin-1: the é is the single byte 0xE9, at byte 2 + 14 = 16.
    const file = write("latin1.json", Buffer.from('{\n  "name": "café",\n  "servers": { "count": 2 }, "strategies": ["round-robin"] }', "latin1"));
    expect(failure(() => loadScenarioFile(file))).toEqual([`${file}:2:15: the file is not valid UTF-8 text (at byte 16); save it as UTF-8`]);
  });

  it("steps over a U+FFFD that is written in the file", () => {
    // 11 bytes, U+FFFD (3 bytes, 1 character), 9 bytes, then C3 28: not a UTF-8 sequence.
    const file = write("fffd.json", Buffer.concat([Buffer.from('{ "name": "\uFFFD", "x": "'), Buffer.from([0xc3, 0x28]), Buffer.from('" }')]));
    expect(failure(() => loadScenarioFile(file))).toEqual([`${file}:1:22: the file is not valid UTF-8 text (at byte 23); save it as UTF-8`]);
  });

  it("says a binary file is not a text file", () => {
    const file = write("binary.json", Buffer.from([0x7b, 0x00, 0x00, 0x01, 0x89, 0x50, 0x00, 0x00, 0x00]));
    expect(failure(() => loadScenarioFile(file))).toEqual([`${file}: the file is not a text file (byte 1 is a NUL byte); a scenario is JSON text`]);
  });
});

describe("numbers too large for a double", () => {
  it.each(["1e400", "-1e400", "1E+999"])("reports %s where it is written, once", (number) => {
    expect(problems(scenario(`"seed": ${number}, `))).toEqual([`${FILE}:2:11: seed: number ${number} is too large`]);
  });

  it("clips a long number to 40 characters", () => {
    const number = "9".repeat(400);
    expect(problems(scenario(`"servers": { "count": 2, "workers": ${number} }, `)).filter((p) => p.includes("too large"))).toEqual([
      `${FILE}:2:39: servers.workers: number ${"9".repeat(40)}… is too large`,
    ]);
  });

  it("still reports the other problems with the key it is under", () => {
    expect(problems(scenario('"sead": 1e400, '))).toEqual([
      `${FILE}:2:3: (root): unknown key "sead"; did you mean "seed"?`,
      `${FILE}:2:11: sead: number 1e400 is too large`,
    ]);
  });
});

describe("keys that name JavaScript object machinery", () => {
  it.each(["__proto__", "constructor", "prototype"])("refuses %s in a strategy entry, where other keys pass to the strategy", (key) => {
    const text = `{ "servers": { "count": 2 },\n  "strategies": [{ "id": "round-robin", "${key}": { "polluted": true } }] }`;
    expect(problems(text)).toEqual([`${FILE}:2:41: strategies[0]: key "${key}" is not allowed in a scenario`]);
  });

  it("refuses them anywhere, once each, without the schema's unknown-key problem", () => {
    const text = `{ "servers": { "count": 2, "__proto__": { "count": 9 } },\n  "clients": { "think": { "dist": "constant", "value": 1, "__proto__": null } },\n  "strategies": ["round-robin"] }`;
    expect(problems(text)).toEqual([
      `${FILE}:1:28: servers: key "__proto__" is not allowed in a scenario`,
      `${FILE}:2:59: clients.think: key "__proto__" is not allowed in a scenario`,
    ]);
  });

  it("leaves no prototype changed", () => {
    problems(scenario('"store": { "kind": "local", "__proto__": { "polluted": true } }, '));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("long values in messages", () => {
  const clipped = `"${"x".repeat(60)}…"`;

  it("clips a syntax error's token to 60 characters", () => {
    expect(problems(`{ "servers": ${"x".repeat(5000)} }`)).toEqual([`${FILE}:1:14: unexpected ${clipped}`]);
  });

  it("clips a duplicate key and a long key in a path", () => {
    const key = "x".repeat(5000);
    const lines = problems(scenario(`"${key}": { "a": 1e400, "a": 1 }, "${key}": 1, `));
    expect(lines).toContain(`${FILE}:2:5031: (root): duplicate key ${clipped} (first written on line 2); JSON keeps only one of them`);
    expect(lines).toContain(`${FILE}:2:5014: [${clipped}].a: number 1e400 is too large`);
    for (const line of lines.filter((l) => !l.includes("unknown key"))) expect(line.length).toBeLessThan(200);
  });
});

const KEYS = "$schema, name, description, seed, duration, warmup, warmStart, replications, clients, servers, store, balancer, metrics, strategies, events";
