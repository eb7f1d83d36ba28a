import { describe, expect, it } from "vitest";
import { progressReporter } from "../../reports/progress.js";

/** A stream that keeps what is written, a terminal or not. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  const s = { isTTY, columns: 100, write: (text: string) => written.push(text), on: () => s, removeListener: () => s, cursorTo: () => true, clearLine: () => true, moveCursor: () => true } as unknown as NodeJS.WriteStream;
  return { s, written };
}

describe("progress", () => {
  it("shows nothing outside a terminal", () => {
    const { s, written } = stream(false);
    expect(progressReporter(s, "12 runs")).toBeUndefined();
    expect(written).toEqual([]);
  });

  it("draws a bar with the share done and an ETA on a terminal, and clears it at the end", () => {
    const { s, written } = stream(true);
    const progress = progressReporter(s, "12 runs")!;
    progress.update(0.25);
    progress.stop();
    const text = written.join("");
    expect(text).toMatch(/simulating 12 runs \[.*\] 25% \| ETA /);
  });
});
