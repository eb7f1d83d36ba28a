import { accessSync, constants, lstatSync, readdirSync, realpathSync, statSync, statfsSync } from "node:fs";
import { dirname, join, parse, resolve, sep } from "node:path";
import { InputError } from "../sim/scenario/errors.js";

/**
 * Every name lbsim ever writes into an output folder. A folder holding anything else is not
 * lbsim's to replace, and `writeOutputSet` accepts no other name, so the check and the writer
 * cannot drift apart.
 */
export const OUTPUT_FILES = ["report.html", "results.csv", "results.json", "sweep.csv", "sweep.json", "metrics.csv", "replications.csv", "events.csv", "timeline.csv", "shard.json", "partial.json"] as const;
export type OutputFile = (typeof OUTPUT_FILES)[number];

export function isOutputFile(name: string): name is OutputFile {
  return (OUTPUT_FILES as readonly string[]).includes(name);
}

/** Linux NAME_MAX and PATH_MAX: longer names fail in the kernel with ENAMETOOLONG. */
const NAME_MAX = 255;
const PATH_MAX = 4096;
/** Room for the hidden sibling's suffix and a file name inside it (see write.ts). */
const PATH_HEADROOM = 64;

/**
 * Kernel file systems that accept no ordinary files even for root (linux/magic.h), so a path on
 * one is refused before simulating rather than when writing: access(W_OK) passes there for root.
 */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0x1cd1, "devpts"],
  [0xcafe4a11, "bpf"],
  [0x6165676c, "pstore"],
  [0x62656570, "configfs"],
  [0xf97cff8c, "selinuxfs"],
  [0xde5e81e4, "efivarfs"],
]);

/** What the user typed, quoted only when it would not print plainly (empty, control characters, edge spaces). */
function shown(dir: string): string {
  return dir === "" || /[\u0000-\u001f\u007f]|^\s|\s$/.test(dir) ? JSON.stringify(dir) : dir;
}

/** The user error for output folder `dir`: `--out <dir>: <reason>`. */
export function outputError(dir: string, reason: string): InputError {
  return new InputError(`--out ${shown(dir)}: ${reason}`);
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ENOTDIR: "a part of the path is not a folder",
  ENOENT: "no such file or folder",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many levels of symbolic links",
  EBUSY: "resource busy (a mount point cannot be replaced; choose a folder inside it)",
  EEXIST: "already exists",
  ENOTEMPTY: "folder not empty (is another lbsim run writing there?)",
  EMLINK: "too many links",
  EXDEV: "crosses file systems",
};

/** An error from the file system (it has an errno code), as opposed to a bug. */
export function isFsError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && typeof (error as NodeJS.ErrnoException).syscall === "string";
}

/** `read-only file system (EROFS)`: readable, with the code kept for searching. */
export function fsReason(error: NodeJS.ErrnoException & { code: string }): string {
  return `${REASONS[error.code] ?? error.message.replace(/^\w+: /, "").replace(/, \w+ .*$/, "")} (${error.code})`;
}

type Kind = "folder" | "missing" | "other";

/** What is at `path`; a dangling symlink or an untraversable ancestor is the user's to fix. */
function kindOf(dir: string, path: string): Kind {
  try {
    return statSync(path).isDirectory() ? "folder" : "other";
  } catch (error) {
    if (!isFsError(error)) throw error;
    if (error.code === "ENOENT") {
      if (lstatSync(path, { throwIfNoEntry: false })) throw outputError(dir, `${path} is a symbolic link to nothing`);
      return "missing";
    }
    throw outputError(dir, `cannot look at ${path}: ${fsReason(error)}`);
  }
}

/** Refuses a folder on a read-only, kernel-only or full file system, before anything is simulated. */
function checkWritable(dir: string, folder: string): void {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (!isFsError(error)) throw error;
    throw outputError(dir, `cannot write in ${folder}: ${fsReason(error)}`);
  }
  if (process.platform !== "linux") return;
  const fs = statfsSync(folder);
  const kernel = KERNEL_FILE_SYSTEMS.get(Number(fs.type) >>> 0);
  if (kernel) throw outputError(dir, `cannot write in ${folder}: it is on the kernel's ${kernel} file system, which holds no ordinary files`);
  // Root may use the blocks reserved for it, so only a file system full even for root is refused.
  const free = process.getuid?.() === 0 ? fs.bfree : fs.bavail;
  if (free === 0 || (fs.files > 0 && fs.ffree === 0)) throw outputError(dir, `cannot write in ${folder}: the file system is full`);
}

export interface OutputDir {
  /** The path as given, made absolute. */
  absolute: string;
  /** Where the folder really is when it exists (symlinks resolved), else `absolute`. */
  target: string;
  exists: boolean;
}

/** Every check of `checkOutputDir`; also tells the writer where the folder really is. */
export function inspectOutputDir(dir: string): OutputDir {
  if (dir === "") throw outputError(dir, "the path is empty");
  if (dir.includes("\0")) throw outputError(dir, "the path contains a NUL byte");
  for (const part of dir.split(sep)) {
    const bytes = Buffer.byteLength(part);
    if (bytes > NAME_MAX) throw outputError(dir, `the name ${JSON.stringify(part.slice(0, 24) + "…")} is ${bytes} bytes long; at most ${NAME_MAX} are allowed`);
  }
  const absolute = resolve(dir);
  if (Buffer.byteLength(absolute) + PATH_HEADROOM >= PATH_MAX) throw outputError(dir, `the path is too long (${Buffer.byteLength(absolute)} bytes)`);

  // From the root down: the deepest existing ancestor is where the first folder will be created.
  const { root } = parse(absolute);
  const parts = absolute.slice(root.length).split(sep).filter(Boolean);
  let ancestor = root;
  let exists = parts.length === 0;
  for (const [i, part] of parts.entries()) {
    const path = join(ancestor, part);
    const kind = kindOf(dir, path);
    if (kind === "missing") break;
    const last = i === parts.length - 1;
    if (kind === "other") throw outputError(dir, last ? "exists and is not a folder" : `${path} is not a folder`);
    if (last) exists = true;
    else ancestor = path;
  }
  if (!exists) {
    checkWritable(dir, ancestor);
    return { absolute, target: absolute, exists };
  }

  const target = realpathSync(absolute);
  const cwd = process.cwd();
  if (cwd === target || cwd.startsWith(target.endsWith(sep) ? target : target + sep))
    throw outputError(dir, "is the current folder or one of its parents; choose a new or empty folder");
  let entries;
  try {
    entries = readdirSync(target, { withFileTypes: true });
  } catch (error) {
    if (!isFsError(error)) throw error;
    throw outputError(dir, `cannot list it: ${fsReason(error)}`);
  }
  // The old folder is deleted after the swap, so it may hold only files lbsim itself wrote.
  const foreign = entries.filter((e) => !(e.isFile() && isOutputFile(e.name))).map((e) => e.name).sort();
  if (foreign.length > 0) {
    const listed = foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? ", ..." : "");
    throw outputError(dir, `is not an lbsim output folder (it holds ${listed}); choose a new or empty folder`);
  }
  // Swapping renames the folder inside its real parent, so that is the folder to write in.
  checkWritable(dir, dirname(target));
  return { absolute, target, exists };
}

/**
 * Checks, before anything is simulated and without creating anything, that `dir` can become the
 * output folder, and returns it absolute. Throws InputError naming the path and the reason.
 */
export function checkOutputDir(dir: string): string {
  return inspectOutputDir(dir).absolute;
}
