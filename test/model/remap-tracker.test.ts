import { describe, expect, it } from "vitest";
import { ClientTable } from "../../sim/model/clients.js";
import { RemapTracker } from "../../sim/model/remap-tracker.js";
import type { World } from "../../sim/model/world.js";
import { scenario } from "../helpers.js";

/** A tracker over two crash-and-recover events at 100 s and 200 s, with an idle timeout of 60 s. */
function setup() {
  const s = scenario({ servers: { count: 3 }, strategies: ["round-robin"], events: [{ at: 100, crash: "s1" }, { at: 200, recover: "s1" }] });
  const clients = new ClientTable();
  const world = { scenario: s, clients } as unknown as World;
  const tracker = new RemapTracker(world, 60);
  /** A user whose session was last used at `lastSeen` on `server`. */
  const session = (lastSeen: number, server: number) => {
    const slot = clients.allocate(clients.used);
    clients.session[slot] = slot;
    clients.sessionLastSeen[slot] = lastSeen;
    clients.sessionServer[slot] = server;
    return slot;
  };
  return { tracker, session };
}

describe("RemapTracker", () => {
  it("counts a session at every event it was live at, and judges its move at the last of them", () => {
    const { tracker, session } = setup();
    const a = session(90, 0); // live at the crash (90 + 60 > 100), returns after it to s2: moved, had to move
    const b = session(30, 1); // expired at 90, before the crash: not active
    const c = session(150, 2); // live at the recovery only, comes back to s3: not moved
    const d = session(95, 0); // live at the crash, then ends (cleared) without coming back
    tracker.applied(0, 0);
    tracker.close(a, 120, 1);
    tracker.close(b, 130, 1);
    tracker.close(d, 140, -1);
    tracker.applied(1, -1);
    tracker.close(c, 205, 2);
    const [crash, recover] = tracker.results();
    expect(crash).toMatchObject({ activeSessions: 2, returnedSessions: 1, movedSessions: 1, remapFraction: 1, minimumFraction: 1 });
    expect(recover).toMatchObject({ activeSessions: 1, returnedSessions: 1, movedSessions: 0, remapFraction: 0, minimumFraction: 0 });
  });

  it("ignores events not yet applied, and events before a session's last use", () => {
    const { tracker, session } = setup();
    const a = session(99, 0);
    tracker.close(a, 99.5, 0); // nothing applied yet: nothing counted
    tracker.applied(0, 0);
    tracker.applied(1, -1);
    // Last used at 150, after the crash: live at the recovery only.
    const b = session(150, 0);
    tracker.close(b, 250, 0);
    const [crash, recover] = tracker.results();
    expect(crash.activeSessions).toBe(0);
    expect(recover).toMatchObject({ activeSessions: 1, returnedSessions: 1, movedSessions: 0, minimumFraction: 0 });
  });

  it("has no fraction for an event no session came back after", () => {
    const { tracker } = setup();
    tracker.applied(0, 0);
    expect(tracker.results()[0]).toMatchObject({ activeSessions: 0, remapFraction: null, minimumFraction: null });
  });
});
