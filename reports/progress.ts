import { Presets, SingleBar } from "cli-progress";

/** Shows how far a long run is: updated with the share done (0 to 1), stopped once at the end. */
export interface ProgressReporter {
  update(done: number): void;
  stop(): void;
}

/** Lines a minute when the output is not a terminal (a log file, CI). */
const LOG_EVERY_MS = 60_000;

/**
 * A progress bar with an ETA on a terminal; on anything else, one line a minute, so a long run
 * in a log is seen to be alive without flooding it.
 */
export function progressReporter(stream: NodeJS.WriteStream, what: string, now: () => number = Date.now): ProgressReporter {
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: `simulating ${what} [{bar}] {percentage}% | ETA {eta_formatted}`, etaBuffer: 50, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    bar.start(1000, 0);
    return { update: (done) => bar.update(Math.round(done * 1000)), stop: () => bar.stop() };
  }
  const started = now();
  let logged = started;
  return {
    update(done) {
      const t = now();
      if (t - logged < LOG_EVERY_MS || done <= 0) return;
      logged = t;
      const left = ((t - started) / done) * (1 - done);
      stream.write(`lbsim: ${(done * 100).toFixed(0)}% of ${what} simulated after ${minutes(t - started)}, about ${minutes(left)} left\n`);
    },
    stop() {},
  };
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return m < 1 ? `${Math.round(ms / 1000)} s` : m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`;
}
