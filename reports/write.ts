import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes every file of a run into `dir` so that none is ever seen half-written: each goes to a
 * temporary name beside its target and is renamed into place once complete. All content is
 * produced before the first write.
 */
export function writeOutputs(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const temporaries: string[] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      temporaries.push(tmp);
      writeFileSync(tmp, content);
    }
    for (const [i, name] of Object.keys(files).entries()) {
      renameSync(temporaries[i], join(dir, name));
      written.push(join(dir, name));
    }
  } finally {
    for (const tmp of temporaries) rmSync(tmp, { force: true });
  }
  return written;
}
