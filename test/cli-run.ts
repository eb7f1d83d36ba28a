import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));

export interface CliOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) the way a user would. */
export function lbsim(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string | undefined> } = {}): CliOutcome {
  const env = { ...process.env, FORCE_COLOR: "0", ...options.env };
  const r = spawnSync(process.execPath, [`${root}dist/cli.js`, ...args], { cwd: options.cwd ?? root, input: options.input, encoding: "utf8", env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
