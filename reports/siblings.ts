import { createHash } from "node:crypto";
import { readdir, rename, rmdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isOutputFile } from "./output-dir.js";

/** Temporary and set-aside folders of this process still being used, which no cleanup may touch. */
export const inUse = new Set<string>();

/**
 * `<parent>/.<name>.lbsim-`: the start of every hidden sibling of the output folder `target`,
 * followed by `tmp-<pid>-<random>` (new outputs) or `old-<pid>-<random>` (previous ones). A name
 * near the 255-byte limit is replaced by a digest so the sibling's name stays within it.
 */
export function siblingPrefix(target: string): string {
  const name = basename(target);
  const short = Buffer.byteLength(name) <= 200 ? name : createHash("sha256").update(name).digest("hex").slice(0, 16);
  return join(dirname(target), `.${short}.lbsim-`);
}

/**
 * Removes a folder holding only output files. Nothing but OUTPUT_FILES is ever deleted, so a
 * folder that somehow holds anything else stays (rmdir fails) rather than losing it.
 */
export async function removeOutputFolder(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true }))
    if (entry.isFile() && isOutputFile(entry.name)) await unlink(join(path, entry.name));
  await rmdir(path);
}

/** Whether process `pid` exists; EPERM means it does, under another user. */
function alive(pid: number, path: string): boolean {
  if (pid === process.pid) return inUse.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Cleans up after writers of `target` that were killed outright (SIGKILL, power loss): their
 * temporary folders are removed; a previous set they had moved aside is put back if the target
 * is missing (they died between the two renames), else removed. Failures are ignored: this is
 * tidying, and a folder that stays is tried again next time.
 */
export async function removeStaleSiblings(target: string): Promise<void> {
  const prefix = siblingPrefix(target);
  const start = basename(prefix);
  let names: string[];
  try {
    names = await readdir(dirname(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const match = name.startsWith(start) ? /^(tmp|old)-(\d+)-[A-Za-z0-9]+$/.exec(name.slice(start.length)) : null;
    const path = join(dirname(prefix), name);
    if (!match || alive(Number(match[2]), path)) continue;
    const targetMissing = await stat(target).then(() => false, () => true);
    if (match[1] === "old" && targetMissing) await rename(path, target).catch(() => {});
    else await removeOutputFolder(path).catch(() => {});
  }
}
