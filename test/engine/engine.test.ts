import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Engine } from "../../sim/engine/engine.js";
import { EventQueue } from "../../sim/engine/event-queue.js";

describe("Engine", () => {
  it("handles events in time order and tells each handler its subject and the time", () => {
    const engine = new Engine();
    const log: string[] = [];
    const ping = engine.on((subject, now) => log.push(`ping ${subject}@${now}`));
    const pong = engine.on((subject, now) => log.push(`pong ${subject}@${now}`));
    engine.at(3, ping, 1);
    engine.at(1, pong, 2);
    engine.at(2, ping, 3);
    engine.run();
    expect(log).toEqual(["pong 2@1", "ping 3@2", "ping 1@3"]);
  });

  it("runs events at equal times in the order they were scheduled", () => {
    const engine = new Engine();
    const log: number[] = [];
    const kind = engine.on((subject) => log.push(subject));
    for (const subject of [5, 3, 9, 1, 7]) engine.at(10, kind, subject);
    engine.run();
    expect(log).toEqual([5, 3, 9, 1, 7]);
  });

  it("lets a handler schedule more events, including at the current time", () => {
    const engine = new Engine();
    const log: string[] = [];
    const tick = engine.on((n, now) => {
      log.push(`${n}@${now}`);
      if (n < 3) engine.after(n === 1 ? 0 : 1, tick, n + 1);
    });
    engine.at(0, tick, 0);
    engine.run();
    expect(log).toEqual(["0@0", "1@1", "2@1", "3@2"]);
  });

  it("stops at `until`, leaves later events pending and sets the clock to `until`", () => {
    const engine = new Engine();
    const log: number[] = [];
    const kind = engine.on((_, now) => log.push(now));
    for (const t of [1, 2, 3, 4]) engine.at(t, kind, 0);
    engine.run(2.5);
    expect(log).toEqual([1, 2]);
    expect(engine.now).toBe(2.5);
    expect(engine.pending).toBe(2);
    engine.run(3);
    expect(log).toEqual([1, 2, 3]);
    expect(engine.processed).toBe(3);
  });

  it("refuses an event in the past, naming both times", () => {
    const engine = new Engine();
    const kind = engine.on(() => {});
    engine.run(5);
    expect(() => engine.at(4, kind, 0)).toThrow("event time 4 is before now (5)");
    expect(() => engine.at(NaN, kind, 0)).toThrow(RangeError);
  });
});

describe("EventQueue", () => {
  it("pops any sequence of pushes in (time, insertion) order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 3000 }), (times) => {
        const queue = new EventQueue();
        times.forEach((t, i) => queue.push(t, i % 7, i));
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        for (const { t, i } of expected) {
          queue.pop();
          if (queue.time !== t || queue.subject !== i || queue.kind !== i % 7) return false;
        }
        return queue.size === 0;
      }),
      { numRuns: 200 },
    );
  });

  it("interleaves pushes and pops correctly while growing", () => {
    const queue = new EventQueue();
    const popped: number[] = [];
    for (let i = 0; i < 5000; i++) {
      queue.push((i * 7919) % 1000, 0, i);
      if (i % 3 === 0) {
        queue.pop();
        popped.push(queue.time);
      }
    }
    while (queue.size > 0) {
      queue.pop();
      popped.push(queue.time);
    }
    expect(popped.length).toBe(5000);
    expect(queue.peekTime()).toBe(Infinity);
    expect(() => queue.pop()).toThrow("pop() on an empty event queue");
  });
});

describe("Engine slices and stalls", () => {
  it("stops after a budget of events and carries on where it stopped", () => {
    const engine = new Engine();
    const log: number[] = [];
    const kind = engine.on((subject) => log.push(subject));
    for (let i = 0; i < 10; i++) engine.at(i, kind, i);
    expect(engine.run(100, 4)).toBe(false);
    expect(log).toEqual([0, 1, 2, 3]);
    expect(engine.now).toBe(3);
    expect(engine.run(100, 4)).toBe(false);
    expect(engine.run(100, 4)).toBe(true);
    expect(log).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(engine.now).toBe(100);
  });

  it("throws StalledError, with the instant, when events keep rescheduling at one time", () => {
    const engine = new Engine(1000);
    const spin = engine.on((subject, now) => engine.at(now, spin, subject));
    engine.at(7.5, spin, 0);
    expect(() => engine.run(10)).toThrow(expect.objectContaining({ name: "StalledError", time: 7.5 }));
  });

  it("does not call many events at distinct times a stall", () => {
    const engine = new Engine(10);
    let n = 0;
    const tick = engine.on((_, now) => {
      if (++n < 1000) engine.at(now + 1e-9, tick, 0);
    });
    engine.at(0, tick, 0);
    expect(engine.run()).toBe(true);
    expect(n).toBe(1000);
  });
});

describe("Engine stalls across slices", () => {
  it("sees a stall however the run is cut into slices", () => {
    const engine = new Engine(1000);
    const spin = engine.on((subject, now) => engine.at(now, spin, subject));
    engine.at(1, spin, 0);
    expect(() => {
      while (!engine.run(10, 100));
    }).toThrow(expect.objectContaining({ name: "StalledError", time: 1 }));
  });
});
