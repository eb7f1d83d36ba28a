import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type OutputFile, fsReason, inspectOutputDir, isFsError, isOutputFile, outputError } from "./output-dir.js";
import { type InterruptGuard, Interrupted, interruptGuard } from "./interrupt.js";
import { inUse, removeOutputFolder, removeStaleSiblings, siblingPrefix } from "./siblings.js";

export { Interrupted };

/** Where a write stands, so a failure or a signal can put everything back as it was. */
interface Progress {
  created: string[];
  temporary?: string;
  aside?: string;
  committed: boolean;
}

/**
 * Writes the whole output set of a run as one folder swap, so a reader of `dir` sees either the
 * previous complete set or the new one, never a mix or a half-written file: the files go into a
 * hidden sibling folder, the previous folder (if any) is renamed aside, the new one renamed into
 * place, the previous one removed; between the two renames there is, for an instant, no folder.
 * Missing parents are created one at a time (Node 20's recursive mkdir spins forever on some
 * paths, e.g. under /proc). Nothing is fsynced: this guards against signals and failures, not
 * against a power loss.
 *
 * File-system failures become InputError naming `dir` and the reason, after removing what was
 * created. SIGINT and SIGTERM during the write remove the new files, restore the previous folder
 * and throw `Interrupted`; once the new folder is in place it is too late to undo, so a signal
 * then is ignored and the write completes. Returns `dir/name` for each file, in the order given.
 */
export async function writeOutputSet(dir: string, files: Partial<Record<OutputFile, string>>): Promise<string[]> {
  const names = Object.keys(files);
  for (const name of names) if (!isOutputFile(name)) throw new Error(`writeOutputSet: ${JSON.stringify(name)} is not one of OUTPUT_FILES`);
  // Checked again: the folder may have changed during the simulation, and its contents are deleted below.
  const { target } = inspectOutputDir(dir);
  const prefix = siblingPrefix(target);
  const guard = interruptGuard();
  const progress: Progress = { created: [], committed: false };
  let step = "";
  try {
    step = "create its parent folders";
    await createParents(dirname(target), progress.created, guard.check);
    await removeStaleSiblings(target);
    guard.check();

    step = `create a temporary folder in ${dirname(target)}`;
    // Not mkdtemp: its folders are private (0700), and this one becomes the user's output folder.
    const temporary = `${prefix}tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    await mkdir(temporary);
    inUse.add(temporary);
    progress.temporary = temporary;
    for (const name of names) {
      guard.check();
      step = `write ${name}`;
      await writeFile(join(progress.temporary, name), files[name as OutputFile] as string, { flag: "wx", signal: guard.signal });
    }
    guard.check();

    step = "move the previous outputs aside";
    if (await exists(target)) {
      // The new folder keeps the permissions the user gave the old one.
      await chmod(temporary, (await stat(target)).mode & 0o7777);
      const aside = `${prefix}old-${process.pid}-${randomBytes(4).toString("hex")}`;
      inUse.add(aside);
      await rename(target, aside);
      progress.aside = aside;
    }
    guard.check();
    step = "move the new outputs into place";
    await rename(temporary, target);
    progress.committed = true;
  } catch (error) {
    await undo(target, progress);
    if (guard.received) throw new Interrupted(guard.received);
    if (isFsError(error)) throw outputError(dir, `cannot ${step}: ${fsReason(error)}`);
    throw error;
  } finally {
    // Kept until the old folder is gone so a late signal cannot strand it; released either way.
    if (!progress.committed) release(guard, progress);
  }
  // A failure here leaves a hidden folder of an ended process, which the next write removes.
  if (progress.aside) await removeOutputFolder(progress.aside).catch(() => {});
  release(guard, progress);
  return names.map((name) => join(dir, name));
}

function release(guard: InterruptGuard, progress: Progress): void {
  guard.dispose();
  for (const path of [progress.temporary, progress.aside]) if (path) inUse.delete(path);
}

/** Puts back what an unfinished write changed: the previous folder, then removes what it created. */
async function undo(target: string, progress: Progress): Promise<void> {
  if (progress.committed) return;
  if (progress.aside) await rename(progress.aside, target).catch(() => {});
  if (progress.temporary) await removeOutputFolder(progress.temporary).catch(() => {});
  for (const folder of progress.created.reverse()) await rmdir(folder).catch(() => {});
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error) => (isFsError(error) && error.code === "ENOENT" ? false : Promise.reject(error)),
  );
}

/** Creates the missing folders of `folder` from the top down, recording each so it can be removed again. */
async function createParents(folder: string, created: string[], check: () => void): Promise<void> {
  const missing: string[] = [];
  for (let path = folder; !(await exists(path)); path = dirname(path)) missing.unshift(path);
  for (const path of missing) {
    check();
    try {
      await mkdir(path);
      created.push(path);
    } catch (error) {
      // Another process creating the same folder meanwhile is fine.
      if (!(isFsError(error) && error.code === "EEXIST" && (await stat(path)).isDirectory())) throw error;
    }
  }
}
