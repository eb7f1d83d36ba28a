import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { availableParallelism, hostname } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A one-node Slurm cluster on loopback, private to one test: its own munged (own key and socket),
 * slurmctld and slurmd on free ports, all state in `dir`. Configured from slurm.conf.in beside
 * this file. Every daemon is stopped by the pid it wrote, never by name.
 */
export interface Cluster {
  /** The environment Slurm's commands need to reach this cluster (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm command (sbatch, squeue, scontrol) against the cluster; throws with its output when it fails. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): string;
  /** What the daemons logged, for a failure's message. */
  logs(): string;
  stop(): Promise<void>;
}

const INSTALL = "apt-get install slurm-wlm munge (Debian and Ubuntu: the packages slurm-wlm and munge)";
const DAEMONS = ["munged", "slurmctld", "slurmd"] as const;
const COMMANDS = ["sbatch", "squeue", "scontrol", "sinfo"] as const;

/** `name` on PATH or in the sbin folders a non-login root shell may leave out. */
function which(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  return folders.map((f) => join(f, name)).find((p) => existsSync(p));
}

/** The binaries, or an error saying what to install. */
function binaries(): Record<string, string> {
  const found = Object.fromEntries([...DAEMONS, ...COMMANDS].map((name) => [name, which(name)]));
  const missing = Object.keys(found).filter((name) => !found[name]);
  if (missing.length > 0)
    throw new Error(`The Slurm job array test needs Slurm and MUNGE, and ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not installed. Install them: ${INSTALL}.`);
  if (process.getuid?.() !== 0) throw new Error("The Slurm job array test starts slurmd, which runs jobs as their user, so it must run as root.");
  return found as Record<string, string>;
}

/** Two ports nothing listens on now. */
async function freePorts(): Promise<[number, number]> {
  const servers = [createServer(), createServer()];
  await Promise.all(servers.map((s) => new Promise<void>((done) => s.listen(0, "0.0.0.0", done))));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return [ports[0], ports[1]];
}

/** Whether `pid` runs: a zombie (a daemon nobody has reaped yet) has ended. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

/** Starts munged, slurmctld and slurmd with their state in `dir` and waits until the node is idle. */
export async function startCluster(dir: string): Promise<Cluster> {
  const bin = binaries();
  const [ctldPort, dPort] = await freePorts();
  const socket = join(dir, "munge.socket");
  const conf = join(dir, "slurm.conf");
  const template = readFileSync(new URL("./slurm.conf.in", import.meta.url), "utf8");
  const values: Record<string, string> = { HOST: hostname().split(".")[0], CPUS: String(availableParallelism()), DIR: dir, CTLD_PORT: String(ctldPort), D_PORT: String(dPort), MUNGE_SOCKET: socket };
  writeFileSync(conf, template.replace(/@(\w+)@/g, (_, key: string) => values[key] ?? `@${key}@`));
  const env = { ...process.env, SLURM_CONF: conf };
  const pids: number[] = [];
  const logs = () =>
    ["munged.log", "ctld.log", "d.log"]
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => `--- ${f}\n${readFileSync(join(dir, f), "utf8").split("\n").slice(-15).join("\n")}`)
      .join("\n");

  const stop = async () => {
    // slurmd, slurmctld, then munged, which both authenticate through.
    for (const pid of pids.reverse()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        continue;
      }
      await until(`pid ${pid} to end`, 10_000, () => (running(pid) ? undefined : true)).catch(() => {
        if (running(pid)) process.kill(pid, "SIGKILL");
      });
    }
    pids.length = 0;
  };

  /** Starts a daemon (it forks into the background) and records its pid from its pid file. */
  const daemon = async (name: string, args: string[], pidFile: string) => {
    // No pipes: the forked daemon would hold them open and spawnSync would wait for it.
    const r = spawnSync(bin[name], args, { env, stdio: "ignore", timeout: 20_000 });
    if (r.status !== 0) throw new Error(`${name} did not start (exit ${r.status ?? r.signal})\n${logs()}`);
    const pid = await until(`${name} to write ${pidFile}`, 10_000, () => {
      const text = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "";
      return /^\d+$/.test(text) ? Number(text) : undefined;
    });
    pids.push(pid);
  };

  try {
    const key = join(dir, "munge.key");
    writeFileSync(key, randomBytes(1024));
    chmodSync(key, 0o400);
    await daemon("munged", ["--force", `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(dir, "munged.pid")}`, `--log-file=${join(dir, "munged.log")}`, `--seed-file=${join(dir, "munged.seed")}`], join(dir, "munged.pid"));
    await daemon("slurmctld", ["-f", conf], join(dir, "slurmctld.pid"));
    await daemon("slurmd", ["-f", conf], join(dir, "slurmd.pid"));
    const run = (command: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync(bin[command] ?? command, args, { env: { ...env, ...extra }, encoding: "utf8", timeout: 20_000 });
      if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status ?? r.signal}\n${r.stdout}${r.stderr}\n${logs()}`);
      return r.stdout;
    };
    await until("the node to be idle", 30_000, () => (/^idle/m.test(run("sinfo", ["-h", "-o", "%T"])) ? true : undefined)).catch((error) => {
      throw new Error(`${error.message}\n${logs()}`);
    });
    return { env, run, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
