import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/scenario/errors.js";
import { LIMITS } from "../../sim/scenario/limits.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { selectStrategies } from "../../sim/scenario/select.js";

/** Problems parseScenario reports for a scenario with `extra` merged into a valid one. */
function problems(extra: Record<string, unknown>, file = "hostile.json"): string {
  try {
    parseScenario(JSON.stringify({ servers: { count: 2 }, strategies: ["round-robin"], ...extra }, null, 2), file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

function valid(extra: Record<string, unknown>, file = "ok.json") {
  return parseScenario(JSON.stringify({ servers: { count: 2 }, strategies: ["round-robin"], ...extra }), file);
}

describe("scenario names never become paths", () => {
  it.each(["../../escaped", "..", ".", "a/b", "a\\b", "nul\u0000x", "x".repeat(300), ".hidden", " lead"])("refuses the name %j", (name) => {
    expect(problems({ name })).toMatch(/hostile\.json:\d+:\d+: name: expected a name of letters, digits/);
  });

  it("accepts ordinary names, spaces included", () => {
    expect(valid({ name: "checkout v2 (eu)".replace(/[()]/g, "") }).name).toBe("checkout v2 eu");
    expect(valid({ name: "a".repeat(LIMITS.nameLength) }).name).toHaveLength(LIMITS.nameLength);
  });

  it("makes a name from an unsafe file name safe", () => {
    expect(valid({}, "dir/..weird name;rm -rf.json").name).toBe("weird name-rm -rf");
    expect(valid({}, "dir/....json").name).toBe("scenario");
  });
});

describe("numbers the model cannot hold are refused", () => {
  it("a duration of 400 digits is not Infinity seconds", () => {
    expect(problems({ duration: `${"9".repeat(400)}s` })).toMatch(/duration: expected a duration of at most 3650d/);
    expect(problems({ duration: 1e300 })).toMatch(/duration: expected a number <= 315360000/);
  });

  it("blanks around and inside a duration are read alike", () => {
    expect(valid({ duration: " 3m " }).duration).toBe(180);
    expect(valid({ duration: "5 m" }).duration).toBe(300);
    expect(valid({ duration: "250us" }).duration).toBeCloseTo(0.00025, 12);
  });

  it("weights stay within HAProxy's 1..256", () => {
    expect(problems({ servers: { list: [{ name: "a", weight: 2 ** 32 }, { name: "b" }] } })).toMatch(/servers\.list\[0\]\.weight: expected a number <= 256, got 4294967296/);
    expect(problems({ servers: { list: [{ name: "a", weight: 1e9 }] } })).toMatch(/<= 256/);
    expect(valid({ servers: { list: [{ name: "a", weight: 256 }] } }).servers.list[0].weight).toBe(256);
  });

  it("workers, queue limits and counts have maxima", () => {
    expect(problems({ servers: { count: 3, workers: 1e10 } })).toMatch(/servers\.workers: expected a number <= 10000/);
    expect(problems({ servers: { count: 3, workers: 1e8 } })).toMatch(/servers\.workers/);
    expect(problems({ clients: { requestsPerVisit: 4294967297 } })).toMatch(/clients\.requestsPerVisit/);
    expect(problems({ clients: { visitsPerSecond: 1e7 } })).toMatch(/clients\.visitsPerSecond: expected a number <= 1000000/);
  });

  it("HAProxy server ids are 31-bit and unique, as HAProxy requires", () => {
    expect(problems({ servers: { list: [{ name: "a", id: 2 ** 31 }] } })).toMatch(/servers\.list\[0\]\.id: expected a number <= 2147483647/);
    expect(problems({ servers: { list: [{ name: "a", id: 7 }, { name: "b", id: 7 }] } })).toMatch(/servers\.list\[1\]\.id: duplicate server id 7/);
  });

  it("servers without an id get the lowest free ids, as HAProxy assigns them", () => {
    const s = valid({ servers: { list: [{ name: "a" }, { name: "b", id: 1 }, { name: "c" }, { name: "d", id: 3 }] } });
    expect(s.servers.list.map((x) => x.id)).toEqual([2, 1, 4, 3]);
  });

  it("distribution parameters that would give NaN samples are refused", () => {
    expect(problems({ clients: { think: { dist: "pareto", min: 1, max: 1, alpha: 5e-324 } } })).toMatch(/clients\.think\.alpha: expected a number >= 0\.001/);
    expect(problems({ servers: { count: 2, service: { dist: "lognormal", mean: 1, cv: 1e160 } } })).toMatch(/servers\.service\.cv: expected a number <= 100/);
  });

  it("a choice whose weights are all zero has nothing to choose", () => {
    expect(problems({ clients: { think: { dist: "choice", values: [1, 2], weights: [0, 0] } } })).toMatch(/clients\.think\.weights: expected at least one weight greater than zero/);
  });
});

describe("events must change their server's state", () => {
  it("crashing a crashed server or recovering a running one is refused, in time order", () => {
    const message = problems({
      events: [
        { at: "20m", crash: "s1" },
        { at: "10m", crash: "s1" },
        { at: "5m", recover: "s2" },
      ],
    });
    expect(message).toMatch(/events\[0\]\.crash: server s1 is already down at 1200 s/);
    expect(message).toMatch(/events\[2\]\.recover: server s2 is running at 300 s; "recover" needs a server that is down/);
    expect(message).not.toMatch(/events\[1\]/);
  });

  it("a planned stop needs a running server and a start a stopped or crashed one", () => {
    const message = problems({ events: [{ at: 1, stop: "s1" }, { at: 2, stop: "s1" }, { at: 3, start: "s2" }] });
    expect(message).toMatch(/events\[1\]\.stop: server s1 is already down at 2 s/);
    expect(message).toMatch(/events\[2\]\.start: server s2 is running at 3 s; "start" needs a server that is down/);
    expect(valid({ events: [{ at: 1, crash: "s1" }, { at: 2, start: "s1" }, { at: 3, stop: "s1" }, { at: 4, recover: "s1" }] }).events).toHaveLength(4);
  });

  it("accepts crash, recover, crash again", () => {
    expect(valid({ events: [{ at: 1, crash: "s1" }, { at: 2, recover: "s1" }, { at: 3, crash: "s1" }] }).events).toHaveLength(3);
  });
});

describe("error output is bounded", () => {
  it("a 1 MB strategy id prints as a short line", () => {
    const message = problems({ strategies: ["x".repeat(1 << 20)] });
    expect(message.length).toBeLessThan(2000);
    expect(message).toMatch(/unknown strategy "x{40}…"/);
  });

  it("100,000 duplicate server names print a few lines and a count", () => {
    const list = Array.from({ length: 100_000 }, () => ({ name: "same" }));
    const lines = problems({ servers: { list } }).split("\n");
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.at(-1)).toBe("... and 99996 more problems like those above");
  });

  it("suggests the strategy a typo meant", () => {
    expect(problems({ strategies: ["ring-hsah"] })).toMatch(/unknown strategy "ring-hsah"; did you mean "ring-hash"\?/);
  });
});

describe("--strategies picks exactly one entry per name, in the order named", () => {
  const s = valid({ strategies: ["ring-hash", { id: "ring-hash", virtualNodes: 1000 }, { id: "round-robin", label: "rr + redis", store: { kind: "shared" } }, "maglev"] });

  it("a label picks that entry only", () => {
    const picked = selectStrategies(s, ["maglev", "ring-hash"]);
    expect("entries" in picked && picked.entries.map((e) => e.label)).toEqual(["maglev", "ring-hash"]);
    const second = selectStrategies(s, ["ring-hash#2"]);
    expect("entries" in second && second.entries.map((e) => (e.options as { virtualNodes: number }).virtualNodes)).toEqual([1000]);
  });

  it("an id picks the one entry with that id, else adds the strategy with defaults", () => {
    const picked = selectStrategies(s, ["round-robin", "jump-hash"]);
    expect("entries" in picked && picked.entries.map((e) => [e.label, e.store.kind])).toEqual([
      ["rr + redis", "shared"],
      ["jump-hash", "local"],
    ]);
  });

  it("keeps labels unique when one is written in the #n form a repeat would get", () => {
    // Found by test/fuzz: the second "ring-hash" became "ring-hash#2" too, and a label picked two entries.
    for (const strategies of [["ring-hash", "ring-hash", { id: "maglev", label: "ring-hash#2" }], [{ id: "maglev", label: "ring-hash#2" }, "ring-hash", "ring-hash", "ring-hash"]]) {
      const labels = valid({ strategies }).strategies.map((e) => e.label);
      expect(new Set(labels).size).toBe(labels.length);
    }
    expect(valid({ strategies: ["ring-hash", "ring-hash", { id: "maglev", label: "ring-hash#2" }] }).strategies.map((e) => [e.label, e.id])).toEqual([
      ["ring-hash", "ring-hash"],
      ["ring-hash#3", "ring-hash"],
      ["ring-hash#2", "maglev"],
    ]);
    expect(valid({ strategies: ["x", "x", "x"].map(() => "maglev") }).strategies.map((e) => e.label)).toEqual(["maglev", "maglev#2", "maglev#3"]);
  });

  it("refuses a name given twice and an unknown one", () => {
    expect(selectStrategies(s, ["maglev", "maglev"])).toEqual({ error: '"maglev" is named twice' });
    expect(selectStrategies(s, ["magelv"])).toMatchObject({ error: expect.stringMatching(/did you mean "maglev"/) });
  });
});

describe("weight events", () => {
  it("name known servers and weights from 1 to 256, at their JSON path", () => {
    // Names are checked once the values are valid.
    expect(problems({ events: [{ at: 60, weight: { s1: 3, zz: 2 } }] })).toMatch(/events\[0\]\.weight\.zz: unknown server "zz"; servers are s1, s2/);
    const message = problems({ events: [{ at: 90, weight: { s2: 300 } }, { at: 100, weight: {} }] });
    expect(message).toMatch(/events\[0\]\.weight\.s2: expected a number <= 256, got 300/);
    expect(message).toMatch(/events\[1\]\.weight: expected at least one server and its new weight/);
  });

  it("compile to the servers they name, in order, and need no particular server state", () => {
    const s = valid({ events: [{ at: 10, crash: "s1" }, { at: 20, weight: { s2: 5, s1: 2 } }] });
    expect(s.events[1]).toMatchObject({ action: "weight", servers: ["s2", "s1"], value: { s2: 5, s1: 2 } });
  });
});
