import { describe, expect, it } from "vitest";
import { runBundled } from "./bundled.js";

describe("memory-cleanup: an in-memory store that never removes expired sessions", () => {
  const result = runBundled("memory-cleanup.json");

  it("holds every session ever started while the sessions in use stay level", () => {
    for (const r of result.results) {
      const held = (r.timeline.serverSessionsHeld as number[][]).map((row) => row.reduce((a, b) => a + b, 0));
      // It only grows, window after window, to about every session the run started (the first replication's).
      for (let i = 1; i < held.length; i++) expect(held[i]).toBeGreaterThan(held[i - 1]);
      expect(held[held.length - 1] / r.replications[0].sessions).toBeGreaterThan(0.98);
      // Against sessions in use at once, a visit's worth of users: the leak is over twenty times that.
      expect(held[held.length - 1]).toBeGreaterThan(20 * (r.metrics.sessionsInUse as number));
      expect(r.metrics.peakBytesHeld).toBe((r.metrics.peakSessionsHeld as number) * 4096);
    }
  });
});
