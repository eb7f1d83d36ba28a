import type { PoolView } from "./strategies/define.js";

/** One server as `lbsim route --servers` names it. */
export interface ServerKey {
  /** The key exactly as given; `lbsim route` prints it back as `backend_key`. */
  key: string;
  form: "nginx" | "haproxy";
  name: string;
  id: number;
  address: string;
}

const HAPROXY_KEY = /^([A-Za-z0-9_.:-]+)\/(\d+)\/([^/\s]+)$/;
const HOST_PORT = /^([^\s/:]+|\[[0-9A-Fa-f:.]+\])(?::(\d+))?$/;

export const serverKeyForms =
  "nginx host:port as written on the server line (127.0.1.1:8080) or HAProxy name/id/address (s1/1/127.0.1.1:8080)";

/**
 * Reads a server key in either form the real products identify servers by (test/fixtures/real-lb
 * README): nginx's `server` string (`127.0.1.1:8080`, also the name; id = position + 1) or
 * HAProxy's `name/id/address`. Returns an error message for anything else.
 */
export function parseServerKey(key: string, position: number): ServerKey | { error: string } {
  const bad = (why: string) => ({ error: `${JSON.stringify(key)} is not a server key (${why}); expected ${serverKeyForms}` });
  if (key === "") return bad("empty");
  const haproxy = HAPROXY_KEY.exec(key);
  if (haproxy) {
    const [, name, id, address] = haproxy;
    if (!/^[1-9]\d{0,8}$/.test(id)) return bad(`server id ${id} must be a positive integer`);
    const portError = checkHostPort(address);
    if (portError) return bad(portError);
    return { key, form: "haproxy", name, id: Number(id), address };
  }
  if (key.includes("/") && !/^unix:/i.test(key)) return bad("a HAProxy key is name/id/address with a numeric id");
  if (!/^unix:/i.test(key)) {
    const error = checkHostPort(key);
    if (error) return bad(error);
  }
  return { key, form: "nginx", name: key, id: position + 1, address: key };
}

function checkHostPort(text: string): string | undefined {
  const m = HOST_PORT.exec(text);
  if (!m) return `${JSON.stringify(text)} is not host or host:port`;
  if (m[2] !== undefined && (m[2].length > 5 || Number(m[2]) < 1 || Number(m[2]) > 65535)) return `port ${m[2]} is outside 1..65535`;
  return undefined;
}

/** The pool a strategy sees for these servers: all eligible and accepting except `down`, no load. */
export function routePool(servers: readonly ServerKey[], weights: readonly number[], down: readonly number[]): PoolView {
  const eligible = new Uint8Array(servers.length).fill(1);
  for (const d of down) eligible[d] = 0;
  return {
    size: servers.length,
    names: servers.map((s) => s.name),
    addresses: servers.map((s) => s.address),
    ids: Int32Array.from(servers, (s) => s.id),
    weights: Int32Array.from(weights),
    eligible,
    accepting: eligible.slice(),
    active: new Int32Array(servers.length),
    activeTotal: 0,
  };
}
