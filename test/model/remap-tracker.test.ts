import { describe, expect, it } from "vitest";
import { ClientTable } from "../../sim/model/clients.js";
import { RemapTracker } from "../../sim/model/remap-tracker.js";
import type { World } from "../../sim/model/world.js";
import { scenario } from "../helpers.js";

/** A tracker over the given events on three servers, with an idle timeout of 60 s. */
function setup(events: unknown[] = [{ at: 100, crash: "s1" }, { at: 200, recover: "s1" }]) {
  const s = scenario({ servers: { count: 3 }, strategies: ["round-robin"], events });
  const clients = new ClientTable();
  const world = { scenario: s, clients, servers: { capacity: 3 } } as unknown as World;
  const tracker = new RemapTracker(world, 60);
  /** A user whose session was last used at `lastSeen` on `server`. */
  const session = (lastSeen: number, server: number) => {
    const slot = clients.allocate(clients.used);
    clients.session[slot] = slot;
    clients.sessionLastSeen[slot] = lastSeen;
    clients.sessionServer[slot] = server;
    clients.sessionStartedAt[slot] = lastSeen;
    return slot;
  };
  /** The session is served by `server` at `now` (what Sessions.read does after closing the interval). */
  const serve = (slot: number, now: number, server: number) => {
    const event = tracker.close(slot, now, server);
    clients.sessionLastSeen[slot] = now;
    clients.sessionServer[slot] = server;
    return event;
  };
  return { tracker, session, serve };
}

describe("RemapTracker", () => {
  it("counts a session at every event it was live at, and judges its move at the last of them", () => {
    const { tracker, session, serve } = setup();
    const a = session(90, 0); // live at the crash (90 + 60 > 100), returns after it to s2: moved, had to move
    const b = session(30, 1); // expired at 90, before the crash: not active
    const c = session(150, 2); // live at the recovery only, comes back to s3: not moved
    const d = session(95, 0); // live at the crash, then ends (cleared) without coming back
    tracker.applied(0, [0]);
    tracker.takenAway(0, 0);
    tracker.settled(0, 100);
    serve(a, 120, 1);
    serve(b, 130, 1);
    tracker.close(d, 140, -1);
    tracker.applied(1, [0]);
    tracker.settled(1, 200);
    serve(c, 205, 2);
    const [crash, recover] = tracker.results();
    expect(crash).toMatchObject({ activeSessions: 2, returnedSessions: 1, movedSessions: 1, remapFraction: 1, minimumFraction: 1 });
    expect(recover).toMatchObject({ activeSessions: 1, returnedSessions: 1, movedSessions: 0, remapFraction: 0, minimumFraction: 0 });
  });

  it("ignores events not yet applied, and events before a session's last use", () => {
    const { tracker, session, serve } = setup();
    const a = session(99, 0);
    serve(a, 99.5, 0); // nothing applied yet: nothing counted
    tracker.applied(0, [0]);
    tracker.settled(0, 100);
    tracker.applied(1, [0]);
    tracker.settled(1, 200);
    // Last used at 150, after the crash: live at the recovery only.
    const b = session(150, 0);
    serve(b, 250, 0);
    const [crash, recover] = tracker.results();
    expect(crash.activeSessions).toBe(0);
    expect(recover).toMatchObject({ activeSessions: 1, returnedSessions: 1, movedSessions: 0, minimumFraction: 0 });
  });

  it("judges a session only once the event has taken effect, against the server it used before the event", () => {
    const { tracker, session, serve } = setup();
    tracker.applied(0, [0]);
    tracker.takenAway(0, 0);
    tracker.settled(0, 100);
    tracker.applied(1, [0]); // the recovery: s1 is back only when its health checks pass, at 210
    const a = session(195, 1); // on s2 while s1 was down
    expect(serve(a, 205, 1)).toBe(1); // before the checks passed: not judged, but losses now are the recovery's
    expect(tracker.results()[1].returnedSessions).toBe(0);
    tracker.settled(1, 210);
    serve(a, 215, 0); // under the new pool it goes back to s1: moved, from s2
    expect(tracker.results()[1]).toMatchObject({ activeSessions: 1, returnedSessions: 1, movedSessions: 1, minimumFraction: 0 });
  });

  it("a session that is not back before the next event did not return for the earlier one", () => {
    const { tracker, session, serve } = setup();
    const a = session(95, 0);
    tracker.applied(0, [0]);
    tracker.takenAway(0, 0);
    serve(a, 110, 1); // before the crash was detected: pending
    serve(a, 150, 1);
    tracker.settled(0, 200); // the next event came first
    tracker.applied(1, [0]);
    serve(a, 205, 1); // live at the recovery (150 + 60 > 200)
    const [crash, recover] = tracker.results();
    expect(crash).toMatchObject({ activeSessions: 1, returnedSessions: 0 });
    expect(recover.activeSessions).toBe(1);
  });

  it("credits a session to the simultaneous event that concerns its server, else to the last", () => {
    const { tracker, session, serve } = setup([{ at: 100, crash: "s1" }, { at: 100, crash: "s2" }]);
    const onS1 = session(90, 0), onS2 = session(90, 1), onS3 = session(90, 2);
    tracker.applied(0, [0]);
    tracker.takenAway(0, 0);
    tracker.applied(1, [1]);
    tracker.takenAway(1, 1);
    tracker.settled(0, 106);
    serve(onS1, 107, 2); // the group has not taken effect until both members have: pending
    tracker.settled(1, 108);
    serve(onS1, 109, 2);
    serve(onS2, 110, 2);
    serve(onS3, 111, 2);
    const [first, second] = tracker.results();
    expect(first).toMatchObject({ activeSessions: 3, returnedSessions: 1, movedSessions: 1, minimumFraction: 1 });
    expect(second).toMatchObject({ activeSessions: 3, returnedSessions: 2, movedSessions: 1, minimumFraction: 0.5 });
  });

  it("charges losses to the event, by cause, over the sessions active at it", () => {
    const { tracker, session, serve } = setup();
    const a = session(90, 0), b = session(95, 1);
    tracker.applied(0, [0]);
    tracker.takenAway(0, 0);
    tracker.lost(a, serve(a, 101, 1), "serverCrash");
    tracker.lost(a, 0, "remapped"); // lost again for the same event: counted once
    tracker.lost(b, -1, "remapped"); // charged to no event: not counted
    const late = session(102, 1);
    // A session begun after the event is not among its active ones: its loss does not count.
    tracker.lost(late, 0, "remapped");
    tracker.settled(0, 106);
    serve(b, 120, 1);
    expect(tracker.results()[0]).toMatchObject({ activeSessions: 2, lostSessions: 1, lostFraction: 0.5, lostByCause: { serverCrash: 1, remapped: 0 } });
  });

  it("reports how long a drained server took to hold no session in use, or null when it never did", () => {
    const { tracker } = setup([{ at: 100, drain: "s1", deadline: 60 }, { at: 100, drain: "s2", deadline: 60 }]);
    tracker.applied(0, [0]);
    tracker.drainStarted(0, 0, 4, 100);
    tracker.serverEmptied(0, 130);
    tracker.applied(1, [1]);
    tracker.drainStarted(1, 1, 2, 100);
    tracker.takenAway(1, 1); // the deadline came first
    tracker.serverEmptied(1, 170);
    const [emptied, never] = tracker.results();
    expect(emptied.emptiedAfter).toBe(30);
    expect(never.emptiedAfter).toBeNull();
  });

  it("counts a drained server empty only once no bound user comes back to it", () => {
    const { tracker } = setup([{ at: 100, drain: "s1", deadline: 60 }]);
    tracker.applied(0, [0]);
    tracker.drainStarted(0, 0, 3, 100);
    tracker.serverEmptied(0, 120);
    tracker.serverFilled(0); // a returning user bound to s1
    tracker.serverEmptied(0, 140);
    tracker.takenAway(0, 0); // the deadline
    expect(tracker.results()[0].emptiedAfter).toBe(40);
  });

  it("has no fraction for an event no session came back after", () => {
    const { tracker } = setup();
    tracker.applied(0, [0]);
    expect(tracker.results()[0]).toMatchObject({ activeSessions: 0, remapFraction: null, minimumFraction: null, lostFraction: null });
  });
});
