// A separate process for the write tests that need one: real signals, a file-size limit, a
// private mount. It runs the built module (`npm test` builds first), as the CLI does.
//
//   write <target> <generation> <bytes,bytes,bytes> [signal-after-rename <aside|commit> <SIGNAL>]
//     writes report.html, results.csv, results.json, each starting "generation <n>\n" then
//     filler; prints "writing" once the write has begun (its signal listeners are installed),
//     "done" when it returns. Exits like the CLI: 2 on InputError, the Interrupted exit code.
//   inspect <target>
//     prints JSON {siblings, files}: the entries beside the target, and each file's first line.
import { createRequire, syncBuiltinESMExports } from "node:module";
import { closeSync, existsSync, openSync, readSync, readdirSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const NAMES = ["report.html", "results.csv", "results.json"];
const [mode, target, ...rest] = process.argv.slice(2);

if (mode === "inspect") {
  const parent = dirname(resolve(target));
  const siblings = existsSync(parent) ? readdirSync(parent).filter((n) => n !== basename(target)) : null;
  let files = null;
  if (existsSync(target)) {
    files = {};
    for (const name of readdirSync(target).sort()) files[name] = firstLine(join(target, name));
  }
  process.stdout.write(JSON.stringify({ siblings, files }) + "\n");
} else if (mode === "write") {
  const [generation, sizes, hook, when, signal] = rest;
  if (hook === "signal-after-rename") signalAfterRename(existsSync(target) ? realpathSync(target) : resolve(target), when, signal);
  // Imported after the hook so the module binds to the patched rename.
  const { writeOutputSet, Interrupted } = await import("../../dist/reports/write.js");
  const lengths = sizes.split(",").map(Number);
  const files = Object.fromEntries(NAMES.map((name, i) => [name, `generation ${generation}\n${"x".repeat(lengths[i])}`]));
  try {
    const pending = writeOutputSet(target, files);
    process.stdout.write("writing\n");
    await pending;
    process.stdout.write("done\n");
  } catch (error) {
    process.stderr.write(`lbsim: ${error.message}\n`);
    if (error instanceof Interrupted) process.exitCode = error.exitCode;
    else if (error.name === "InputError") process.exitCode = 2;
    else throw error;
  }
} else {
  throw new Error(`write-child.mjs: unknown mode ${mode}`);
}

function firstLine(path) {
  const buffer = Buffer.alloc(64);
  const fd = openSync(path, "r");
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  return buffer.subarray(0, n).toString().split("\n")[0];
}

/**
 * Hits the instant no random delay can: a real signal to this process right after the previous
 * folder was renamed aside ("aside") or the new one into place ("commit"). The rename returns
 * only once the signal has reached the JavaScript listeners.
 */
function signalAfterRename(target, when, signal) {
  const fsp = createRequire(import.meta.url)("node:fs/promises");
  const rename = fsp.rename;
  fsp.rename = async (from, to) => {
    await rename(from, to);
    if ((when === "aside" ? from : to) !== target) return;
    // Signal handles do not keep Node running; the timer does until the listener has run.
    const keepAlive = setInterval(() => {}, 1000);
    const delivered = new Promise((done) => process.once(signal, done));
    process.kill(process.pid, signal);
    await delivered;
    clearInterval(keepAlive);
  };
  syncBuiltinESMExports();
}
