import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.js";
import { lbsim } from "../cli-run.js";
import { scenarioProblems } from "../helpers.js";

const base = { duration: "1h", servers: { count: 2 }, strategies: ["nginx-ip-hash"] };

/** The problems parseScenario reports for this scenario's `clients` (over `base`). */
function problems(clients: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return scenarioProblems({ ...base, ...extra, clients }, "nat.json");
}

const valid = (clients: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseScenario(JSON.stringify({ ...base, ...extra, clients }), "ok.json").clients;

/** Matches one problem line: the file, a line and column, the path, the message. */
const line = (path: string, message: string) => new RegExp(`^nat\\.json:\\d+:\\d+: ${path.replace(/[.[\]]/g, "\\$&")}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");

describe("clients.nat", () => {
  it("keeps the { fraction, groupSize } form, and derives the addresses from the users the run creates", () => {
    // 10 visits/s for an hour: 36,000 users, a fifth behind NAT, 50 per address on average.
    const [pool] = valid({ nat: { fraction: 0.2, groupSize: 50 } }).nat;
    expect(pool).toEqual({ fraction: 0.2, groupSize: { dist: "constant", value: 50 }, addresses: 144, networks: 144 });
    // A population caps the users, and a warm start adds those who arrive before 0 (20 visits of 10 requests 10 s apart).
    expect(valid({ count: 1000, nat: { fraction: 0.2, groupSize: 50 } }).nat[0].addresses).toBe(4);
    expect(valid({ nat: { fraction: 0.2, groupSize: 50 } }, { warmStart: true }).nat[0].addresses).toBe(Math.round((10 * (3600 + 2000) * 0.2) / 50));
    // At least one address, however few users.
    expect(valid({ count: 3, nat: { fraction: 0.1, groupSize: 50 } }).nat[0].addresses).toBe(1);
  });

  it("fills in the presets, and lets every default be overridden", () => {
    const [corporate, carrier] = valid({ visitsPerSecond: 20, nat: [{ preset: "corporate", fraction: 0.1 }, { preset: "carrier", fraction: 0.4 }] }).nat;
    expect(corporate.groupSize).toEqual({ dist: "pareto", min: 1, max: 5000, alpha: 1 });
    expect(corporate.networks).toBe(corporate.addresses); // every office its own /24
    // 72,000 users, 40% behind CGN at 252 subscribers per address (256-port blocks): 114 addresses, packed into one /24.
    expect(carrier).toMatchObject({ preset: "carrier", groupSize: { dist: "constant", value: 252 }, addresses: 114, networks: 1 });
    const [custom] = valid({ nat: { preset: "carrier", fraction: 0.5, groupSize: 504, addresses: 600, networks: 5 } }).nat;
    expect(custom).toMatchObject({ groupSize: { dist: "constant", value: 504 }, addresses: 600, networks: 5 });
    expect(valid({ nat: { preset: "carrier", fraction: 0.5, addresses: 600 } }).nat[0].networks).toBe(3);
  });

  it("refuses more networks than addresses, or than users behind the NAT", () => {
    expect(problems({ nat: { fraction: 0.5, addresses: 10, networks: 11 } })).toMatch(line("clients.nat.networks", "11 networks for 10 NAT addresses: at most one network per address"));
    expect(problems({ nat: { fraction: 0.5, groupSize: 1000, networks: 19 } })).toMatch(
      line("clients.nat.networks", "19 networks for 18 NAT addresses (derived from the users expected behind it): at most one network per address"),
    );
    expect(problems({ count: 100, nat: { fraction: 0.3, addresses: 50, networks: 31 } })).toMatch(
      line("clients.nat.networks", "31 networks for about 30 users behind this NAT (clients.count × fraction): at most one network per user"),
    );
    expect(valid({ count: 100, nat: { fraction: 0.3, addresses: 50, networks: 30 } }).nat[0].networks).toBe(30);
  });

  it("refuses more addresses than the networks' /24s hold", () => {
    expect(problems({ nat: [{ fraction: 0.1 }, { fraction: 0.5, addresses: 509, networks: 2 }] })).toMatch(
      line("clients.nat[1].networks", "509 NAT addresses do not fit in 2 /24 networks of 254 hosts; at least 3 networks"),
    );
    expect(valid({ nat: { fraction: 0.5, addresses: 508, networks: 2 } }).nat[0].networks).toBe(2);
  });

  it("refuses pools whose fractions add up to more than 1", () => {
    expect(problems({ nat: [{ fraction: 0.6 }, { fraction: 0.5 }] })).toMatch(line("clients.nat", "the pools' fractions add up to 1.1; at most 1 (a user is behind one NAT at most)"));
    expect(valid({ nat: [{ fraction: 0.1 }, { fraction: 0.2 }, { fraction: 0.7 }] }).nat.map((p) => p.fraction)).toEqual([0.1, 0.2, 0.7]);
  });

  it("refuses counts below 1 and unknown keys, with their paths", () => {
    expect(problems({ nat: { fraction: 0.5, addresses: 0 } })).toMatch(line("clients.nat.addresses", "expected a number > 0, got 0"));
    expect(problems({ nat: [{ fraction: 0.5, networks: 0.5 }] })).toMatch(line("clients.nat[0].networks", "expected integer, got number 0.5"));
    expect(problems({ nat: { fraction: 0.5, preset: "isp" } })).toMatch(line("clients.nat.preset", 'expected one of: corporate, carrier; got "isp"'));
    expect(problems({ nat: { fractoin: 0.3 } })).toMatch(/clients\.nat: unknown key "fractoin"; did you mean "fraction"\?/);
  });
});

describe("clients.proxies", () => {
  it("defaults to one proxy that adds X-Forwarded-For, and reads true as the header", () => {
    expect(valid({}).proxies).toEqual({ fraction: 0, count: 1, networks: 1, forwardedFor: "header" });
    expect(valid({ proxies: { fraction: 1, count: 20, forwardedFor: true } }).proxies).toEqual({ fraction: 1, count: 20, networks: 20, forwardedFor: "header" });
    expect(valid({ proxies: { fraction: 0.5, count: 20, networks: 2, forwardedFor: "proxy-protocol" } }).proxies.forwardedFor).toBe("proxy-protocol");
    expect(valid({ proxies: { fraction: 0.5, forwardedFor: false } }).proxies.forwardedFor).toBe(false);
  });

  it("refuses a count below 1 and layouts that cannot be", () => {
    expect(problems({ proxies: { fraction: 1, count: 0 } })).toMatch(line("clients.proxies.count", "expected a number > 0, got 0"));
    expect(problems({ proxies: { fraction: 1, count: 3, networks: 4 } })).toMatch(line("clients.proxies.networks", "4 networks for 3 proxy addresses: at most one network per address"));
    expect(problems({ proxies: { fraction: 1, count: 300, networks: 1 } })).toMatch(line("clients.proxies.networks", "300 proxy addresses do not fit in 1 /24 network of 254 hosts; at least 2 networks"));
    expect(problems({ proxies: { fraction: 1, forwardedFor: "yes" } })).toMatch(/clients\.proxies\.forwardedFor: /);
  });
});

describe("lbsim with a NAT layout that cannot be", () => {
  it("validate and run exit 2, name the path, and write nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbsim-nat-"));
    const file = join(dir, "nat.json");
    writeFileSync(file, JSON.stringify({ ...base, duration: "10m", clients: { nat: { fraction: 0.5, addresses: 10, networks: 20 } } }, null, 2));
    for (const args of [["validate", file], ["run", file, "--out", join(dir, "out")]]) {
      const r = lbsim(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/nat\.json:\d+:\d+: clients\.nat\.networks: 20 networks for 10 NAT addresses/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
