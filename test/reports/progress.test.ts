import { describe, expect, it } from "vitest";
import { progressReporter } from "../../reports/progress.js";

/** A stream that is not a terminal, keeping what is written. */
function logStream() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe("progress outside a terminal", () => {
  it("writes one line a minute with the share done and the time left, and nothing sooner", () => {
    const { stream, lines } = logStream();
    let clock = 0;
    const progress = progressReporter(stream, "12 runs", () => clock);
    for (clock = 0; clock < 59_000; clock += 1000) progress.update(clock / 600_000);
    expect(lines).toEqual([]);
    clock = 60_000;
    progress.update(0.25);
    clock = 90_000;
    progress.update(0.3);
    clock = 120_000;
    progress.update(0.5);
    progress.stop();
    expect(lines).toEqual([
      "lbsim: 25% of 12 runs simulated after 1 min, about 3 min left\n",
      "lbsim: 50% of 12 runs simulated after 2 min, about 2 min left\n",
    ]);
  });
});
