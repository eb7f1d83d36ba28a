/** The signals that mean "stop" to a CLI: Ctrl-C and the polite kill. */
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
export type StopSignal = (typeof SIGNALS)[number];

/**
 * A signal stopped the command: by default the output set was not written and the previous
 * outputs, if any, are intact; `message` says otherwise when something was kept (the finished runs
 * of an interrupted batch). `exitCode` is the shell's 128 + signal number, what the process would
 * have exited with had the signal killed it.
 */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
  readonly exitCode: number;

  constructor(
    readonly signal: StopSignal,
    message = `interrupted (${signal}); nothing was written`,
  ) {
    super(message);
    this.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}

export interface InterruptGuard {
  /** Aborted at the first signal, so a long writeFile stops between chunks. */
  readonly signal: AbortSignal;
  readonly received: StopSignal | undefined;
  /** Throws Interrupted once a signal has arrived: called between steps. */
  check(): void;
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM until disposed. Node runs the listener between awaits, so work done
 * with fs/promises notices the signal at its next step instead of dying mid-file.
 */
export function interruptGuard(): InterruptGuard {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const listener = (signal: StopSignal) => {
    received ??= signal;
    controller.abort();
  };
  for (const s of SIGNALS) process.on(s, listener);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    check() {
      if (received) throw new Interrupted(received);
    },
    dispose() {
      for (const s of SIGNALS) process.off(s, listener);
    },
  };
}
