import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Largest scenario file read. A scenario is a few kilobytes; past this it is the wrong file. */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

const CHUNK_BYTES = 64 * 1024;

/**
 * The bytes of `file`, or `tooLarge` (with the first bytes, to say what the file is) once more
 * than `limit` of them have been read. It reads
 * in chunks until the end rather than trusting the size the file system reports, so pipes,
 * FIFOs and devices (`<(cat x.json)`, `/dev/stdin`) work, and an endless one (`/dev/zero`)
 * is stopped. Read failures are thrown as the system reports them.
 */
export function readBytes(file: string, limit = MAX_SCENARIO_BYTES): { bytes: Buffer } | { tooLarge: true; head: Buffer } {
  const fd = openSync(file, "r");
  try {
    // A regular file says how large it is: no need to read 16 MiB to refuse it.
    const stats = fstatSync(fd);
    if (stats.isFile() && stats.size > limit) {
      const head = Buffer.alloc(CHUNK_BYTES);
      return { tooLarge: true, head: head.subarray(0, readSync(fd, head, 0, CHUNK_BYTES, 0)) };
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      total += read;
      if (total > limit) return { tooLarge: true, head: chunks[0] ?? chunk.subarray(0, read) };
      chunks.push(chunk.subarray(0, read));
    }
    return { bytes: Buffer.concat(chunks, total) };
  } finally {
    closeSync(fd);
  }
}
