import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { checkOutputDir } from "../../reports/output-dir.js";
import { removeStaleSiblings, siblingPrefix } from "../../reports/siblings.js";
import { Interrupted, writeOutputSet } from "../../reports/write.js";
import { InputError } from "../../sim/scenario/errors.js";
import { lbsim, root } from "../cli-run.js";

const CHILD = fileURLToPath(new URL("./write-child.mjs", import.meta.url));
const linux = process.platform === "linux";
const isRoot = process.getuid?.() === 0;
const tmp = () => mkdtempSync(join(tmpdir(), "lbsim-write-"));
const all = (text: string) => ({ "report.html": text, "results.csv": text, "results.json": text });
/** The files a run writes (a sweep writes others of OUTPUT_FILES). */
const RUN_FILES = Object.keys(all(""));

/** The message of the InputError `fn` throws; anything else fails the test. */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError, nothing was thrown");
}

async function rejectedInput(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

/** A folder holding exactly `files`. */
function folderWith(files: Record<string, string>): string {
  const dir = join(tmp(), "out");
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const contents = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), "utf8")]));
const hiddenBeside = (dir: string) => readdirSync(dirname(dir)).filter((n) => n.startsWith("."));
/** A pid no process has: that of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("checkOutputDir", () => {
  it("returns the absolute path and creates nothing", () => {
    const dir = tmp();
    const out = join(dir, "a", "b", "out");
    expect(checkOutputDir(out)).toBe(out);
    expect(checkOutputDir(relative(process.cwd(), out))).toBe(out);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("accepts an empty folder and one holding only lbsim outputs", () => {
    expect(checkOutputDir(folderWith({}))).toMatch(/out$/);
    expect(checkOutputDir(folderWith(all("old")))).toMatch(/out$/);
  });

  it("refuses an empty path and a NUL byte, quoting them", () => {
    expect(inputError(() => checkOutputDir(""))).toBe('--out "": the path is empty');
    expect(inputError(() => checkOutputDir("a\0b"))).toBe('--out "a\\u0000b": the path contains a NUL byte');
  });

  it("refuses a name longer than 255 bytes, counting bytes rather than characters", () => {
    const dir = tmp();
    expect(inputError(() => checkOutputDir(join(dir, "x".repeat(300), "out")))).toMatch(/is 300 bytes long; at most 255 are allowed$/);
    expect(inputError(() => checkOutputDir(join(dir, "é".repeat(128))))).toMatch(/is 256 bytes long/);
    expect(checkOutputDir(join(dir, "x".repeat(255)))).toBe(join(dir, "x".repeat(255)));
  });

  it("refuses a file, a path under a file and a dangling symlink", () => {
    const dir = tmp();
    const file = join(dir, "f");
    writeFileSync(file, "");
    symlinkSync(join(dir, "nowhere"), join(dir, "link"));
    expect(inputError(() => checkOutputDir(file))).toBe(`--out ${file}: exists and is not a folder`);
    expect(inputError(() => checkOutputDir(join(file, "a", "out")))).toBe(`--out ${join(file, "a", "out")}: ${file} is not a folder`);
    expect(inputError(() => checkOutputDir(join(dir, "link", "out")))).toMatch(/link is a symbolic link to nothing$/);
  });

  // Node 20's recursive mkdir spins forever under /proc; root may "write" in both as far as access() says.
  it.skipIf(!linux)("refuses /proc and /sys, where no folder can be made", () => {
    expect(inputError(() => checkOutputDir("/proc/lbsim-out"))).toMatch(/^--out \/proc\/lbsim-out: cannot write in \/proc: .*proc file system/);
    expect(inputError(() => checkOutputDir("/sys/lbsim-x/out"))).toMatch(/^--out \/sys\/lbsim-x\/out: cannot write in \/sys: /);
  });

  // Root is never refused permission, so as root the check runs in a child as user nobody.
  it("refuses a folder it may not write in", () => {
    const dir = tmp();
    chmodSync(dir, 0o555);
    const target = join(dir, "out");
    const expected = `--out ${target}: cannot write in ${dir}: permission denied (EACCES)`;
    if (!isRoot) return void expect(inputError(() => checkOutputDir(target))).toBe(expected);
    // Root may write anywhere, so the check runs as nobody, from a copy of the built module it can
    // read wherever the checkout is (a clone in a private temporary folder, say).
    const built = tmp();
    chmodSync(built, 0o755);
    for (const file of ["reports/output-dir.js", "sim/scenario/errors.js"]) {
      mkdirSync(dirname(join(built, file)), { recursive: true });
      writeFileSync(join(built, file), readFileSync(join(root, "dist", file)));
    }
    writeFileSync(join(built, "package.json"), '{ "type": "module" }');
    const script = `import { checkOutputDir } from ${JSON.stringify(join(built, "reports/output-dir.js"))};
      try { checkOutputDir(process.argv[1]); console.log("accepted"); } catch (e) { console.log(e.name + ": " + e.message); }`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, target], { uid: 65534, gid: 65534, encoding: "utf8" });
    expect(child.stdout.trim()).toBe(`InputError: ${expected}`);
  });

  it("refuses a folder holding anything but lbsim outputs, naming what it holds", () => {
    const dir = folderWith({ "report.html": "", "notes.txt": "", ".git": "" });
    expect(inputError(() => checkOutputDir(dir))).toBe(`--out ${dir}: is not an lbsim output folder (it holds .git, notes.txt); choose a new or empty folder`);
    const many = folderWith(Object.fromEntries(["a", "b", "c", "d", "e", "f", "g"].map((n) => [n, ""])));
    expect(inputError(() => checkOutputDir(many))).toContain("(it holds a, b, c, d, e, ...)");
    // An output name that is a folder is not something lbsim wrote, and deleting it could lose data.
    const nested = folderWith({});
    mkdirSync(join(nested, "results.json"));
    expect(inputError(() => checkOutputDir(nested))).toContain("(it holds results.json)");
  });

  it("refuses the current folder and its parents", () => {
    expect(inputError(() => checkOutputDir("."))).toBe("--out .: is the current folder or one of its parents; choose a new or empty folder");
    expect(inputError(() => checkOutputDir(dirname(process.cwd())))).toContain("is the current folder or one of its parents");
    expect(inputError(() => checkOutputDir("/"))).toContain("is the current folder or one of its parents");
  });
});

describe("writeOutputSet", () => {
  it("creates the missing parents and writes every file, returning the paths in the order given", async () => {
    const dir = tmp();
    const out = join(dir, "a", "b", "out");
    const written = await writeOutputSet(out, { "results.json": "{}", "report.html": "<html>" });
    expect(written).toEqual([join(out, "results.json"), join(out, "report.html")]);
    expect(contents(out)).toEqual({ "report.html": "<html>", "results.json": "{}" });
    expect(hiddenBeside(out)).toEqual([]);
    // The folder gets the user's usual permissions, not a temporary folder's private ones.
    mkdirSync(join(dir, "plain"));
    expect(statSync(out).mode).toBe(statSync(join(dir, "plain")).mode);
  });

  it("replaces the previous set as a whole, keeping the folder's permissions", async () => {
    const out = folderWith(all("old"));
    chmodSync(out, 0o750);
    await writeOutputSet(out, { "results.json": "new" });
    expect(contents(out)).toEqual({ "results.json": "new" });
    expect(statSync(out).mode & 0o777).toBe(0o750);
    expect(hiddenBeside(out)).toEqual([]);
  });

  it("refuses what checkOutputDir refuses and leaves everything as it was", async () => {
    const out = folderWith({ "report.html": "mine", "notes.txt": "mine" });
    expect(await rejectedInput(writeOutputSet(out, all("new")))).toContain("is not an lbsim output folder (it holds notes.txt)");
    expect(contents(out)).toEqual({ "notes.txt": "mine", "report.html": "mine" });
    expect(hiddenBeside(out)).toEqual([]);
    expect(await rejectedInput(writeOutputSet("", all("new")))).toBe('--out "": the path is empty');
    expect(await rejectedInput(writeOutputSet(join(out, "notes.txt", "out"), all("new")))).toContain("notes.txt is not a folder");
  });

  it("writes only the names in OUTPUT_FILES", async () => {
    const out = join(tmp(), "out");
    await expect(writeOutputSet(out, { "notes.txt": "x" } as never)).rejects.toThrow('writeOutputSet: "notes.txt" is not one of OUTPUT_FILES');
    expect(existsSync(out)).toBe(false);
  });

  it("removes what writers killed outright left beside the target, not what live ones are writing", async () => {
    const out = folderWith(all("old"));
    const prefix = siblingPrefix(out);
    const dead = deadPid();
    for (const name of [`tmp-${dead}-ab12cd`, `old-${dead}-00ff00ff`, "tmp-1-live00"]) {
      mkdirSync(prefix + name);
      writeFileSync(join(prefix + name, "report.html"), "left");
    }
    await writeOutputSet(out, all("new"));
    // pid 1 always exists, so its folder may still be in use.
    expect(hiddenBeside(out)).toEqual([basename(prefix) + "tmp-1-live00"]);
    expect(contents(out)).toEqual(all("new"));
  });

  it("puts back the previous set that a writer killed between its two renames had moved aside", async () => {
    const out = folderWith(all("old"));
    const aside = `${siblingPrefix(out)}old-${deadPid()}-0a0b0c0d`;
    spawnSync("mv", [out, aside]);
    await removeStaleSiblings(out);
    expect(contents(out)).toEqual(all("old"));
    expect(hiddenBeside(out)).toEqual([]);
  });

  it("keeps the hidden siblings of a long name within the 255-byte limit", async () => {
    const out = join(tmp(), "y".repeat(255));
    await writeOutputSet(out, all("one"));
    await writeOutputSet(out, all("two"));
    expect(contents(out)).toEqual(all("two"));
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function child(args: string[]): Exit {
  // The timeout only stops a hang from blocking the suite; nothing asserts how long a write takes.
  const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

interface State {
  /** Entries beside the target; null when its parent folder does not exist. */
  siblings: string[] | null;
  /** Each file's first line; null when the target does not exist. */
  files: Record<string, string> | null;
}

const inspect = (target: string): State => JSON.parse(child(["inspect", target]).stdout);

/** The generation of a complete set: all three files, all from one write. */
function generationOf(files: Record<string, string>): string {
  expect(Object.keys(files)).toEqual([...RUN_FILES].sort());
  expect(new Set(Object.values(files)).size).toBe(1);
  return files["results.json"];
}

/** A child writing in the background, resolved once its write has begun and again when it exits. */
function startWrite(args: string[]) {
  const proc = spawn(process.execPath, [CHILD, "write", ...args]);
  let stdout = "";
  let stderr = "";
  const writing = new Promise<void>((resolve) => proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk) && stdout.includes("writing") && resolve()));
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve) => proc.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { writing: Promise.race([writing, exit]), exit, kill: (signal: NodeJS.Signals) => proc.kill(signal) };
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
const BIG = Array(3).fill(20_000_000).join(",");
const SMALL = "1000,1000,1000";

/** Whether this machine lets the tests mount a small file system of their own (a private mount namespace). */
function privateMountFlags(): string[] | null {
  const dir = tmp();
  for (const flags of [["--mount"], ["--mount", "--map-root-user"]]) {
    const r = spawnSync("unshare", [...flags, "sh", "-c", 'mount -t tmpfs -o size=1m lbsim-probe "$1"', "sh", dir]);
    if (r.status === 0) return flags;
  }
  return null;
}

describe("writeOutputSet in a process of its own", () => {
  beforeAll(() => {
    // The child runs the built code; stale output would test yesterday's version.
    for (const name of ["write", "output-dir", "siblings", "interrupt"]) {
      const built = join(root, "dist", "reports", `${name}.js`);
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, "reports", `${name}.ts`)).mtimeMs)
        throw new Error(`${relative(root, built)} is missing or older than its source: run \`npm run build\` (npm test does)`);
    }
  });

  it("fails at once on /proc/lbsim-out instead of spinning", () => {
    const r = child(["write", "/proc/lbsim-out", "1", SMALL]);
    expect(r.signal).toBe(null);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lbsim: --out \/proc\/lbsim-out: cannot write in \/proc/);
  });

  it("keeps the previous set when writing fails midway (a file-size limit makes results.csv fail)", () => {
    const out = join(tmp(), "out");
    expect(child(["write", out, "1", SMALL]).code).toBe(0);
    // ulimit -f is in blocks of 512 or 1024 bytes depending on the shell: either way under 4 MB.
    const r = spawnSync("sh", ["-c", 'ulimit -f 2048 && exec "$@"', "sh", process.execPath, CHILD, "write", out, "2", "1000,4000000,1000"], { encoding: "utf8" });
    expect(r.stderr).toBe(`lbsim: --out ${out}: cannot write results.csv: file too large (EFBIG)\n`);
    expect(r.status).toBe(2);
    expect(inspect(out)).toEqual({ siblings: [], files: Object.fromEntries(RUN_FILES.map((n) => [n, "generation 1"])) });
  });

  const mountFlags = linux ? privateMountFlags() : null;
  it.skipIf(!mountFlags)("reports a full and a read-only file system as bad input, keeping the previous set", () => {
    const dir = tmp();
    const script = [
      "set -e",
      'mount -t tmpfs -o size=2m lbsim-test "$1"',
      '"$2" "$3" write "$1/out" 1 1000,1000,1000 >/dev/null',
      "set +e",
      '"$2" "$3" write "$1/out" 2 1000,3000000,1000 >/dev/null; echo "full $?"',
      '"$2" "$3" inspect "$1/out"',
      'mount -o remount,ro "$1"',
      '"$2" "$3" write "$1/out" 3 1000,1000,1000 >/dev/null; echo "read-only $?"',
      '"$2" "$3" inspect "$1/out"',
    ].join("\n");
    const r = spawnSync("unshare", [...(mountFlags as string[]), "sh", "-c", script, "sh", dir, process.execPath, CHILD], { encoding: "utf8" });
    const out = join(dir, "out");
    expect(r.stderr).toBe(
      `lbsim: --out ${out}: cannot write results.csv: no space left on device (ENOSPC)\n` +
        `lbsim: --out ${out}: cannot write in ${dir}: read-only file system (EROFS)\n`,
    );
    const [full, afterFull, readOnly, afterReadOnly] = r.stdout.trim().split("\n");
    const untouched = { siblings: [], files: Object.fromEntries(RUN_FILES.map((n) => [n, "generation 1"])) };
    expect([full, JSON.parse(afterFull), readOnly, JSON.parse(afterReadOnly)]).toEqual(["full 2", untouched, "read-only 2", untouched]);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("%s between the two renames puts the previous set back", (signal) => {
    const out = join(tmp(), "out");
    expect(child(["write", out, "1", SMALL]).code).toBe(0);
    const r = child(["write", out, "2", SMALL, "signal-after-rename", "aside", signal]);
    expect(r.stderr).toBe(`lbsim: interrupted (${signal}); nothing was written\n`);
    expect(r.code).toBe(EXIT_CODES[signal]);
    expect(generationOf(inspect(out).files ?? {})).toBe("generation 1");
    expect(inspect(out).siblings).toEqual([]);
  });

  it("a signal once the new set is in place comes too late to undo it: the write completes", () => {
    const out = join(tmp(), "out");
    expect(child(["write", out, "1", SMALL]).code).toBe(0);
    const r = child(["write", out, "2", SMALL, "signal-after-rename", "commit", "SIGTERM"]);
    expect([r.code, r.stdout]).toEqual([0, "writing\ndone\n"]);
    expect(inspect(out)).toEqual({ siblings: [], files: Object.fromEntries(RUN_FILES.map((n) => [n, "generation 2"])) });
  });

  it("SIGTERM and SIGINT at random moments leave the previous or the new complete set and nothing else", { timeout: 600_000 }, async () => {
    // One unsignalled write of the same size tells how long a write lasts here, so the random
    // moments fall before, during and after it on any machine.
    const scratch = tmp();
    const calibration = startWrite([join(scratch, "out"), "0", BIG]);
    await calibration.writing;
    const began = performance.now();
    expect((await calibration.exit).code).toBe(0);
    const lasts = performance.now() - began;
    rmSync(scratch, { recursive: true });

    const dir = tmp();
    const out = join(dir, "runs", "out");
    let current: string | null = null;
    for (let generation = 1; generation <= 12; generation++) {
      const signal = generation % 2 ? "SIGTERM" : "SIGINT";
      const run = startWrite([out, String(generation), BIG]);
      await run.writing;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1.3 * lasts));
      run.kill(signal);
      const exit = await run.exit;
      const state = inspect(out);
      const now = state.files ? generationOf(state.files) : null;
      const context = JSON.stringify({ generation, signal, exit, state });
      if (exit.code === 0) expect(now, context).toBe(`generation ${generation}`);
      else if (exit.code === EXIT_CODES[signal]) {
        expect(now, context).toBe(current);
        expect(exit.stderr, context).toBe(`lbsim: interrupted (${signal}); nothing was written\n`);
      } else {
        // Killed outright in the instant after the write returned, when no listener is left.
        expect(exit.signal, context).toBe(signal);
        expect([current, `generation ${generation}`], context).toContain(now);
      }
      // No hidden folder is left; a parent created for an interrupted first write is gone too.
      expect(state.siblings, context).toEqual(now === null ? null : []);
      expect(readdirSync(dir), context).toEqual(now === null ? [] : ["runs"]);
      current = now;
    }
    rmSync(dir, { recursive: true });
  });
});

describe("lbsim run --out", () => {
  it("refuses a bad output folder as bad input, before simulating", () => {
    const dir = tmp();
    const file = join(dir, "f");
    writeFileSync(file, "");
    const r = lbsim(["run", join(root, "scenarios", "quickstart.json"), "--out", join(file, "out")]);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, "", `lbsim: --out ${join(file, "out")}: ${file} is not a folder\n`]);
  });

  it("exposes Interrupted with the shell's exit codes", () => {
    expect([new Interrupted("SIGINT").exitCode, new Interrupted("SIGTERM").exitCode]).toEqual([130, 143]);
    expect(new Interrupted("SIGTERM").message).toBe("interrupted (SIGTERM); nothing was written");
  });
});
