import { existsSync, readFileSync } from "node:fs";

let version: string | undefined;

/** lbsim's version, from its package.json: the folder above sim/ (sources), or above dist/ (the build). */
export function lbsimVersion(): string {
  const source = new URL("../package.json", import.meta.url);
  version ??= JSON.parse(readFileSync(existsSync(source) ? source : new URL("../../package.json", import.meta.url), "utf8")).version as string;
  return version;
}
