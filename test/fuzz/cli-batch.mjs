// Runs the built CLI (dist/cli.js) once per command line, all in this one process, so a fuzz
// suite can put hundreds of files through `lbsim validate` for the price of a few spawns. Each
// run imports the module afresh (a new URL each time: the program, its parse and its exit-code
// handling all run again) with process.argv set, stdout and stderr captured, and process.exitCode
// read back as the status a real process would exit with.
//
//   node cli-batch.mjs <dist/cli.js> <cases.json>
//     cases.json: an array of argument lists; prints a JSON array of {status, stdout, stderr}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [cli, list] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(list, "utf8"));
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const results = [];
let unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(String(reason?.stack ?? reason)));

const capture = (sink) => (chunk, encoding, callback) => {
  sink.text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  const done = typeof encoding === "function" ? encoding : callback;
  if (typeof done === "function") done();
  return true;
};

for (const [i, args] of cases.entries()) {
  const out = { text: "" };
  const err = { text: "" };
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  process.argv = [process.argv[0], cli, ...args];
  process.exitCode = undefined;
  unhandled = [];
  try {
    await import(`${pathToFileURL(cli).href}?case=${i}`);
  } catch (error) {
    // The CLI catches everything itself; an escape is what a real process would die of (exit 1).
    err.text += `escaped the CLI: ${error?.stack ?? error}\n`;
    process.exitCode = 1;
  }
  if (unhandled.length > 0) {
    err.text += `unhandled rejection: ${unhandled.join("\n")}\n`;
    process.exitCode = 1;
  }
  results.push({ status: process.exitCode ?? 0, stdout: out.text, stderr: err.text });
}
process.stdout.write = write.out;
process.stderr.write = write.err;
process.exitCode = 0;
process.stdout.write(JSON.stringify(results));
