import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lbsim, root } from "../cli-run.js";

/**
 * What a user sees, pinned per command line in the style of arethetypeswrong's CLI snapshots:
 * the command, stdout, stderr and the exit code, one Markdown file each. Wall-clock times are
 * masked. With CI set a missing snapshot fails instead of being written; `npx vitest run -u`
 * rewrites them after a deliberate change, and the diff is what users will see differently.
 */
const tiny = {
  name: "tiny",
  seed: 3,
  duration: "5m",
  replications: 2,
  clients: { count: 30, visitsPerSecond: 1, requestsPerVisit: 4, think: "3s", nat: { fraction: 0.3, groupSize: 5 } },
  servers: { list: [{ name: "a", weight: 2 }, { name: "b" }, { name: "c" }] },
  strategies: ["round-robin", "nginx-ip-hash", "cookie-insert"],
  events: [
    { at: "2m", crash: "b" },
    { at: "3m", recover: "b" },
  ],
};

/** Files a case may name, written into the folder each case runs in. */
const files: Record<string, string> = {
  "tiny.json": JSON.stringify(tiny, null, 2),
  "malformed.json": '{\n  "servers": { "count": 2 },\n  "strategies": ["round-robin",]\n}\n',
  "unknown-key.json": JSON.stringify({ ...tiny, sevrers: tiny.servers }, null, 2),
  "unknown-strategy.json": JSON.stringify({ ...tiny, strategies: ["round-robbin"] }, null, 2),
  "bad-option.json": JSON.stringify({ ...tiny, strategies: [{ id: "ring-hash", virtualNodes: 0 }] }, null, 2),
  "bad-events.json": JSON.stringify({ ...tiny, events: [{ at: "1m", crash: "b" }, { at: "2m", crash: "b" }, { at: "3m", recover: "zz" }] }, null, 2),
  "escaping-name.json": JSON.stringify({ ...tiny, name: "../../escaped" }, null, 2),
  "too-big.json": JSON.stringify({ ...tiny, duration: "365d", clients: { visitsPerSecond: 100 } }, null, 2),
  "a-file": "not a folder\n",
};

interface Case {
  name: string;
  args: string[];
  stdin?: string;
  /** Run in the project folder (list names bundled scenarios relative to it), not a fresh one. */
  inProject?: boolean;
}

const cases: Case[] = [
  { name: "run", args: ["run", "tiny.json", "--out", "out"] },
  { name: "run --json", args: ["run", "tiny.json", "--out", "out", "--json", "--replications", "1", "--strategies", "cookie-insert"] },
  { name: "validate", args: ["validate", "tiny.json"] },
  { name: "list", args: ["list"], inProject: true },
  { name: "route with weights and down", args: ["route", "--strategy", "haproxy-source", "--servers", "s1/1/127.0.1.1:80,s2/2/127.0.1.2:80,s3/3/127.0.1.3:80", "--weights", "3,1,1", "--down", "1"], stdin: "10.0.0.1\n10.0.0.2\n192.168.7.9\n" },
  { name: "help", args: ["--help"] },
  { name: "run help", args: ["run", "--help"] },
  { name: "bad missing file", args: ["run", "nope.json", "--out", "out"] },
  { name: "bad malformed json", args: ["validate", "malformed.json"] },
  { name: "bad unknown key", args: ["validate", "unknown-key.json"] },
  { name: "bad unknown strategy", args: ["run", "unknown-strategy.json", "--out", "out"] },
  { name: "bad strategy option", args: ["validate", "bad-option.json"] },
  { name: "bad events", args: ["validate", "bad-events.json"] },
  { name: "bad scenario name", args: ["run", "escaping-name.json"] },
  { name: "bad budget", args: ["run", "too-big.json", "--out", "out"] },
  { name: "bad out", args: ["run", "tiny.json", "--out", "a-file/out"] },
  { name: "bad strategies flag", args: ["run", "tiny.json", "--out", "out", "--strategies", "magelv"] },
  { name: "bad baseline", args: ["run", "tiny.json", "--out", "out", "--baseline", "maglev"] },
  { name: "bad flag value", args: ["run", "tiny.json", "--replications", "0"] },
  { name: "bad command", args: ["simulate", "tiny.json"] },
  { name: "bad route server key", args: ["route", "--strategy", "nginx-ip-hash", "--servers", "127.0.1.1"], stdin: "" },
  { name: "bad route weights", args: ["route", "--strategy", "nginx-ip-hash", "--servers", "127.0.1.1:80,127.0.1.2:80", "--weights", "1,300"], stdin: "" },
  { name: "bad route keys", args: ["route", "--strategy", "nginx-ip-hash", "--servers", "127.0.1.1:80"], stdin: "10.0.0.1\nnot an address\n300.1.1.1\n" },
];

/** Wall-clock times and the temporary folder a case runs in differ from run to run. */
const mask = (text: string, cwd: string) => text.replace(/\b\d+\.\d s;/g, "<time> s;").replaceAll(cwd, "<cwd>");

function markdown(c: Case, r: { status: number | null; stdout: string; stderr: string }, cwd: string): string {
  const command = ["lbsim", ...c.args].map((a) => (/^[\w./:,=@-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  const stdin = c.stdin === undefined ? "" : `stdin:\n\n\`\`\`\n${c.stdin}\`\`\`\n\n`;
  const block = (title: string, text: string) => `${title}:\n\n\`\`\`\n${mask(text, cwd)}\`\`\`\n\n`;
  return `# ${c.name}\n\n\`\`\`\n$ ${command}\n\`\`\`\n\n${stdin}${block("stdout", r.stdout)}${block("stderr", r.stderr)}exit code: ${r.status}\n`;
}

describe("CLI snapshots", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const cwd = mkdtempSync(join(tmpdir(), "lbsim-snap-"));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
      const r = lbsim(c.args, { cwd: c.inProject ? root : cwd, input: c.stdin ?? "" });
      await expect(markdown(c, r, cwd)).toMatchFileSnapshot(`./${c.name.replaceAll(" ", "-")}.md`);
    });
  }
});
