import { describe, expect, it } from "vitest";
import { parseServerKey, routePool } from "../sim/route-pool.js";
import { createRouter, routeKeys } from "../sim/route.js";
import { inputError } from "./helpers.js";
import { findStrategy, strategies } from "../sim/strategies/index.js";
import { lbsim } from "./cli-run.js";
import { recordedAddresses, recordedCases } from "./strategies/recorded.js";

const NGINX3 = ["127.0.1.1:8080", "127.0.1.2:8080", "127.0.1.3:8080"];
const HAPROXY3 = ["s1/1/127.0.1.1:8080", "s2/2/127.0.1.2:8080", "s3/3/127.0.1.3:8080"];

describe("server keys", () => {
  it("reads nginx keys as name = address = the key, id = position + 1", () => {
    expect(parseServerKey("127.0.1.1:8080", 0)).toEqual({ key: "127.0.1.1:8080", form: "nginx", name: "127.0.1.1:8080", id: 1, address: "127.0.1.1:8080" });
    expect(parseServerKey("backend1.example.com", 4)).toMatchObject({ form: "nginx", name: "backend1.example.com", id: 5, address: "backend1.example.com" });
    expect(parseServerKey("unix:/run/app.sock", 1)).toMatchObject({ form: "nginx", id: 2, address: "unix:/run/app.sock" });
  });

  it("reads HAProxy keys as name/id/address", () => {
    expect(parseServerKey("web-2/17/10.0.0.2:80", 0)).toEqual({ key: "web-2/17/10.0.0.2:80", form: "haproxy", name: "web-2", id: 17, address: "10.0.0.2:80" });
  });

  it.each(["", "s1/x/127.0.1.1:8080", "s1/0/127.0.1.1:8080", "a/b", "s1/1/", ":8080", "127.0.1.1:99999", "has space:80", "s1/1/127.0.1.1:0"])(
    "rejects %j",
    (key) => {
      const r = parseServerKey(key, 0);
      expect("error" in r && r.error).toContain("expected nginx host:port");
    },
  );

  it("builds the pool a strategy sees: weights, down servers ineligible, names, ids and addresses", () => {
    const servers = HAPROXY3.map((k, i) => parseServerKey(k, i)).map((s) => ("error" in s ? expect.fail(s.error) : s));
    const p = routePool(servers, [3, 1, 1], [1]);
    expect(p.size).toBe(3);
    expect(p.names).toEqual(["s1", "s2", "s3"]);
    expect(p.addresses).toEqual(["127.0.1.1:8080", "127.0.1.2:8080", "127.0.1.3:8080"]);
    expect([...p.ids]).toEqual([1, 2, 3]);
    expect([...p.weights]).toEqual([3, 1, 1]);
    expect([...p.eligible]).toEqual([1, 0, 1]);
    expect([...p.active]).toEqual([0, 0, 0]);
  });
});

describe("routeKeys", () => {
  it("answers nginx-ip-hash with each server's key (candidates hand-worked from nginx's ip_hash)", () => {
    expect(routeKeys("nginx-ip-hash", NGINX3, undefined, [], ["192.168.1.77", "10.0.0.1", "10.0.1.1", "203.0.113.9"])).toEqual([
      { key: "192.168.1.77", index: 1, serverKey: "127.0.1.2:8080" },
      { key: "10.0.0.1", index: 0, serverKey: "127.0.1.1:8080" },
      { key: "10.0.1.1", index: 1, serverKey: "127.0.1.2:8080" },
      { key: "203.0.113.9", index: 0, serverKey: "127.0.1.1:8080" },
    ]);
    // nginx ip_hash retry chain of 192.168.1.x, worked by hand: 1, 2, 2, 0: with 1 and 2 down it ends on 0.
    expect(routeKeys("nginx-ip-hash", NGINX3, undefined, [1, 2], ["192.168.1.5"])[0].index).toBe(0);
  });

  it("skips blank lines, trims spaces and carriage returns", () => {
    const r = routeKeys("nginx-ip-hash", NGINX3, undefined, [], ["", " 10.0.0.1\r", "   ", "10.0.1.1"]);
    expect(r.map((x) => [x.key, x.index])).toEqual([["10.0.0.1", 0], ["10.0.1.1", 1]]);
  });

  it("answers -1 and no key when every server is down", () => {
    expect(routeKeys("nginx-ip-hash", NGINX3, undefined, [0, 1, 2], ["1.2.3.4"])).toEqual([{ key: "1.2.3.4", index: -1, serverKey: "" }]);
  });

  it("routes keys in order through one strategy, afresh on every call", () => {
    const keys = ["1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1"];
    const route = createRouter("round-robin", NGINX3, [2, 1, 1], []);
    const first = route(keys).map((r) => r.index);
    // Smooth weighted round robin with weights 2,1,1 (nginx ngx_http_upstream_get_peer): currents 2,1,1 → a; 0,2,2 → b; 2,-1,3 → c; 4,0,0 → a.
    expect(first).toEqual([0, 1, 2, 0]);
    expect(route(keys).map((r) => r.index)).toEqual(first);
  });

  for (const [file, id] of [
    ["nginx_ip_hash", "nginx-ip-hash"],
    ["nginx_hash", "nginx-hash"],
    ["nginx_hash_consistent", "nginx-hash-consistent"],
    ["haproxy_source_map", "haproxy-source"],
    ["haproxy_source_consistent", "haproxy-source-consistent"],
  ] as const) {
    // These strategies are checked against the same recordings in their own tests; here the point is
    // that server keys in the products' own forms (HAProxy name/id/address) build the right pool.
    it.skipIf(!findStrategy(id))(`reproduces every recorded ${file} case from the products' server keys (${id})`, () => {
      for (const c of recordedCases(file)) {
        const routes = routeKeys(id, c.servers, c.weights, c.down, recordedAddresses);
        const mismatches = routes.filter((r, i) => r.index !== parseInt(c.backends[i], 36) || r.serverKey !== c.servers[r.index]);
        expect(mismatches, `${c.variant} N=${c.servers.length}`).toEqual([]);
      }
    });
  }

  it.skipIf(!findStrategy("nginx-hash"))("hashes any other key as a session id (nginx hash, worked from ngx_http_upstream_get_hash_peer: user42 → 0, /index.html → 2, abc → 2)", () => {
    expect(routeKeys("nginx-hash", ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"], undefined, [], ["user42", "/index.html", "abc"]).map((r) => r.index)).toEqual([0, 2, 2]);
  });

  describe("bad input", () => {
    it("an unknown strategy: names the valid ones and the likely one", () => {
      const message = inputError(() => routeKeys("nginx-iphash", NGINX3, undefined, [], []));
      expect(message).toContain('unknown strategy "nginx-iphash"; did you mean "nginx-ip-hash"?');
      expect(message).toContain(`expected one of: ${strategies.map((s) => s.id).join(", ")}`);
    });

    it("weights: a count that does not match the servers, or a weight out of range", () => {
      expect(inputError(() => routeKeys("nginx-ip-hash", NGINX3, [1, 1], [], []))).toBe("--weights: expected 3 weights, one per server, got 2");
      expect(inputError(() => routeKeys("nginx-ip-hash", NGINX3, [1, 0, 1], [], []))).toBe("--weights: weight 2 is 0; expected an integer from 1 to 256");
      expect(inputError(() => routeKeys("nginx-ip-hash", NGINX3, [1, 1, 257], [], []))).toContain("weight 3 is 257");
    });

    it("a down index out of range", () => {
      expect(inputError(() => routeKeys("nginx-ip-hash", NGINX3, undefined, [3], []))).toBe("--down: 3 is not a server index; expected 0-based indices from 0 to 2");
    });

    it("a malformed server key, no servers, HAProxy servers sharing an id or a name", () => {
      expect(inputError(() => routeKeys("nginx-ip-hash", ["127.0.1.1:8080", "s2/two/127.0.1.2:8080"], undefined, [], []))).toMatch(/^--servers: server 2: "s2\/two\/127\.0\.1\.2:8080" is not a server key/);
      expect(inputError(() => routeKeys("nginx-ip-hash", [], undefined, [], []))).toBe("--servers: expected at least one server key");
      expect(inputError(() => routeKeys("nginx-ip-hash", ["s1/1/a:1", "s2/1/b:1"], undefined, [], []))).toBe("--servers: servers 1 and 2 both have id 1");
      expect(inputError(() => routeKeys("nginx-ip-hash", ["s1/1/a:1", "s1/2/b:1"], undefined, [], []))).toBe('--servers: servers 1 and 2 are both named "s1"');
    });

    it("bad options", () => {
      expect(inputError(() => routeKeys("nginx-ip-hash", NGINX3, undefined, [], [], { nope: 1 }))).toMatch(/^options of nginx-ip-hash: /);
    });

    it("keys an address-only strategy cannot route, and keys no strategy can, by input line", () => {
      const message = inputError(() => routeKeys("nginx-ip-hash", NGINX3, undefined, [], ["10.0.0.1", "", "not-an-ip", "010.0.0.1", "x".repeat(65), "caf\u00e9"]));
      expect(message.split("\n")).toEqual([
        'stdin:3:1: "not-an-ip" is not an IPv4 address (a.b.c.d), and nginx-ip-hash routes by client address only',
        'stdin:4:1: "010.0.0.1" is not an IPv4 address (a.b.c.d), and nginx-ip-hash routes by client address only',
        `stdin:5:1: "${"x".repeat(40)}...": a key is an IPv4 address or a session id of at most 64 printable ASCII characters without spaces`,
        'stdin:6:1: "caf\u00e9": a key is an IPv4 address or a session id of at most 64 printable ASCII characters without spaces',
      ]);
    });

    it("lists a few bad keys of one kind and counts the rest", () => {
      const message = inputError(() => routeKeys("nginx-ip-hash", NGINX3, undefined, [], Array.from({ length: 25 }, (_, i) => `key${i}`)));
      expect(message.split("\n")).toHaveLength(4);
      expect(message).toMatch(/^stdin:1:1: "key0" is not an IPv4 address/);
      expect(message).toMatch(/\n\.\.\. and 22 more problems like those above$/);
    });

    it("AWS ALB strategies fail open: with every server down they still answer one, as ALB routes to all targets", () => {
      for (const id of ["alb-lb-cookie", "alb-app-cookie"]) {
        const [route] = routeKeys(id, NGINX3, undefined, [0, 1, 2], ["1.2.3.4"]);
        expect(route.index).toBeGreaterThanOrEqual(0);
        expect(route.serverKey).toBe(NGINX3[route.index]);
      }
    });
  });
});

describe("lbsim route", () => {
  it("prints key,backend_index,backend_key for each key on stdin, no header, blank lines skipped", () => {
    const r = lbsim(["route", "--strategy", "nginx-ip-hash", "--servers", NGINX3.join(",")], { input: "192.168.1.77\r\n\n10.0.0.1\n203.0.113.9" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("192.168.1.77,1,127.0.1.2:8080\n10.0.0.1,0,127.0.1.1:8080\n203.0.113.9,0,127.0.1.1:8080\n");
  });

  it("takes --weights and --down and prints HAProxy keys back as given", () => {
    // ip_hash with weights 3,1,1: h mod 5 walks the weights; 192.168.1.77 has h = 154 (154 mod 5 = 4 → index 2).
    const r = lbsim(["route", "--strategy", "nginx-ip-hash", "--servers", HAPROXY3.join(","), "--weights", "3,1,1", "--down", "0"], { input: "192.168.1.77\n10.0.0.1\n" });
    expect(r.status).toBe(0);
    const expected = routeKeys("nginx-ip-hash", HAPROXY3, [3, 1, 1], [0], ["192.168.1.77", "10.0.0.1"]);
    expect(expected[0].index).toBe(2);
    expect(r.stdout).toBe(expected.map((x) => `${x.key},${x.index},${x.serverKey}\n`).join(""));
    expect(r.stdout).not.toContain(",0,");
  });

  it("reproduces a whole recorded nginx ip_hash run (2,000 addresses, 5 servers, index 2 down)", () => {
    const c = recordedCases("nginx_ip_hash").find((x) => x.down.length > 0)!;
    const r = lbsim(["route", "--strategy", "nginx-ip-hash", "--servers", c.servers.join(","), "--down", c.down.join(",")], { input: recordedAddresses.join("\n") + "\n" });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(recordedAddresses.length);
    expect(lines.filter((line, i) => line !== `${recordedAddresses[i]},${parseInt(c.backends[i], 36)},${c.servers[parseInt(c.backends[i], 36)]}`)).toEqual([]);
  });

  it.skipIf(!findStrategy("nginx-hash"))("quotes a session id that holds a comma or a quote", () => {
    const r = lbsim(["route", "--strategy", "nginx-hash", "--servers", NGINX3.join(",")], { input: 'a,b\nsay"hi"\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^"a,b",\d,127\.0\.1\.\d:8080\n"say""hi""",\d,127\.0\.1\.\d:8080\n$/);
  });

  it.each([
    [["--strategy", "nope", "--servers", "a:1"], 'lbsim: --strategy: unknown strategy "nope"; expected one of: '],
    [["--strategy", "nginx-ip-hash", "--servers", "a:1,b:2", "--weights", "1"], "lbsim: --weights: expected 2 weights, one per server, got 1"],
    [["--strategy", "nginx-ip-hash", "--servers", "a:1,b:2", "--down", "2"], "lbsim: --down: 2 is not a server index"],
    [["--strategy", "nginx-ip-hash", "--servers", "a:1,b/c"], 'lbsim: --servers: server 2: "b/c" is not a server key'],
    [["--strategy", "nginx-ip-hash", "--servers", "a:1", "--down", "x"], "--down expects comma-separated non-negative integers"],
    [["--servers", "a:1"], "required option '--strategy <id>' not specified"],
    [["--strategy", "nginx-ip-hash"], "required option '--servers <keys>' not specified"],
  ])("exits 2 with a clear message and no output: %j", (args, message) => {
    const r = lbsim(["route", ...args], { input: "10.0.0.1\n" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("exits 2 naming the stdin line of a key it cannot route", () => {
    const r = lbsim(["route", "--strategy", "nginx-ip-hash", "--servers", "a:1,b:2"], { input: "10.0.0.1\nuser42\n" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('lbsim: stdin:2:1: "user42" is not an IPv4 address (a.b.c.d), and nginx-ip-hash routes by client address only\n');
  });
});
