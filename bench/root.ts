import { fileURLToPath } from "node:url";

// This file runs from bench/ (tests, as TypeScript) or from dist/bench/ (compiled).
const root = new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url);

/** A path in the repository, such as "scenarios/bench-100k.json". */
export function repoFile(path: string): string {
  return fileURLToPath(new URL(path, root));
}
