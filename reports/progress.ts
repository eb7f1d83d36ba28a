import { Presets, SingleBar } from "cli-progress";

/** Shows how far a long run is: updated with the share done (0 to 1), stopped once at the end. */
export interface ProgressReporter {
  update(done: number): void;
  stop(): void;
}

/**
 * A progress bar with an ETA on a terminal; nothing on anything else (a log file, a pipe, CI), so
 * what is kept of stderr is the warnings and the summary.
 */
export function progressReporter(stream: NodeJS.WriteStream, what: string): ProgressReporter | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar({ stream, format: `simulating ${what} [{bar}] {percentage}% | ETA {eta_formatted}`, etaBuffer: 50, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  bar.start(1000, 0);
  return { update: (done) => bar.update(Math.round(done * 1000)), stop: () => bar.stop() };
}
