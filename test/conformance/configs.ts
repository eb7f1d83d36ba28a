// Configurations for the live conformance suite: the directives of the recordings in
// test/fixtures/real-lb (nginx 1.22.1, HAProxy 2.6.12), one listener per case, PROXY protocol v1 in.

export type Product = "nginx" | "haproxy";

/** One configuration of a real balancer whose every decision is compared with a simulator strategy. */
export interface LiveCase {
  product: Product;
  /** The simulator strategy that models it. */
  strategy: string;
  /** The directives that select the algorithm, as in the recordings. */
  directives: string[];
  weights: number[];
  /** 0-based indices marked down (nginx `down`; HAProxy a failed health check). */
  down: number[];
  /** Listener (PROXY protocol) port on 127.0.0.1, filled in when the suite allocates ports. */
  port: number;
}

export const LIVE_STRATEGIES: { product: Product; strategy: string; directives: string[] }[] = [
  { product: "nginx", strategy: "nginx-ip-hash", directives: ["ip_hash;"] },
  { product: "nginx", strategy: "nginx-hash", directives: ["hash $remote_addr;"] },
  { product: "nginx", strategy: "nginx-hash-consistent", directives: ["hash $remote_addr consistent;"] },
  { product: "haproxy", strategy: "haproxy-source", directives: ["balance source", "hash-type map-based"] },
  { product: "haproxy", strategy: "haproxy-source-consistent", directives: ["balance source", "hash-type consistent"] },
];

/** Per strategy: N = 2, 3, 5 with weights 1; N = 3 with weights 3,1,1; N = 5 with index 2 down. */
export function liveCases(): LiveCase[] {
  return LIVE_STRATEGIES.flatMap((s) => [
    { ...s, weights: [1, 1], down: [], port: 0 },
    { ...s, weights: [1, 1, 1], down: [], port: 0 },
    { ...s, weights: [1, 1, 1, 1, 1], down: [], port: 0 },
    { ...s, weights: [3, 1, 1], down: [], port: 0 },
    { ...s, weights: [1, 1, 1, 1, 1], down: [2], port: 0 },
  ]);
}

export function caseLabel(c: LiveCase): string {
  const extra = [c.weights.some((w) => w !== 1) ? `weights ${c.weights.join(",")}` : "", c.down.length ? `down ${c.down.join(",")}` : ""];
  return [`${c.strategy} N=${c.weights.length}`, ...extra].filter(Boolean).join(" ");
}

/** The loopback address of backend `index` (0-based): 127.0.1.1, 127.0.1.2, ... */
export const backendHost = (index: number) => `127.0.1.${index + 1}`;

/** The server keys as the product names them (test/fixtures/real-lb/README.md). */
export function serverKeys(c: LiveCase, backendPort: number): string[] {
  return c.weights.map((_, i) =>
    c.product === "nginx" ? `${backendHost(i)}:${backendPort}` : `s${i + 1}/${i + 1}/${backendHost(i)}:${backendPort}`,
  );
}

/**
 * nginx.conf for every nginx case, all paths inside `dir` (run as `nginx -p DIR/ -e DIR/error.log
 * -c DIR/nginx.conf`). `$remote_addr` is the PROXY protocol address, as in the recordings; the
 * backend sees it in X-Real-IP so the suite can check it arrived.
 */
export function nginxConf(cases: readonly LiveCase[], dir: string, backendPort: number): string {
  const lines = [
    "worker_processes 1;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/nginx-error.log warn;`,
    "events { worker_connections 1024; }",
    "http {",
    `    client_body_temp_path ${dir}/tmp/body;`,
    `    proxy_temp_path ${dir}/tmp/proxy;`,
    `    fastcgi_temp_path ${dir}/tmp/fastcgi;`,
    `    uwsgi_temp_path ${dir}/tmp/uwsgi;`,
    `    scgi_temp_path ${dir}/tmp/scgi;`,
    "    log_format route '$server_port $remote_addr $upstream_addr';",
    `    access_log ${dir}/nginx-access.log route;`,
  ];
  cases.forEach((c, k) => {
    lines.push(`    upstream case${k} {`, ...c.directives.map((d) => `        ${d}`));
    c.weights.forEach((w, i) => {
      lines.push(`        server ${backendHost(i)}:${backendPort}${w !== 1 ? ` weight=${w}` : ""}${c.down.includes(i) ? " down" : ""};`);
    });
    lines.push(
      "    }",
      "    server {",
      `        listen 127.0.0.1:${c.port} proxy_protocol;`,
      "        set_real_ip_from 127.0.0.1;",
      "        real_ip_header proxy_protocol;",
      "        location / {",
      `            proxy_pass http://case${k};`,
      "            proxy_set_header X-Real-IP $remote_addr;",
      "        }",
      "    }",
    );
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** The HAProxy backend name of case `k`, to find its servers in `show stat`. */
export const haproxyBackend = (k: number) => `case${k}`;

/**
 * haproxy.cfg for every HAProxy case. A down server is one whose health check fails: it checks
 * port 9 (discard), where nothing listens on 127.0.1.x, every 100 ms, out after one failure, as in
 * the recordings. The client address reaches the backend in X-Forwarded-For.
 */
export function haproxyCfg(cases: readonly LiveCase[], dir: string, backendPort: number): string {
  const lines = haproxyGlobal(dir);
  cases.forEach((c, k) => {
    lines.push(...haproxyProxy(haproxyBackend(k), c.port, c.directives));
    c.weights.forEach((w, i) => {
      const check = c.down.includes(i) ? " check port 9 inter 100ms fall 1 rise 1" : "";
      lines.push(`    server s${i + 1} ${backendHost(i)}:${backendPort} id ${i + 1} weight ${w}${check}`);
    });
  });
  return lines.join("\n") + "\n";
}

/** The global and defaults sections: one thread, the stats socket at `dir`/`name`.sock. */
function haproxyGlobal(dir: string, name = "haproxy"): string[] {
  return [
    "global",
    "    nbthread 1",
    `    pidfile ${dir}/${name}.pid`,
    `    stats socket ${dir}/${name}.sock mode 600 level admin`,
    "defaults",
    "    mode http",
    "    timeout connect 1s",
    "    timeout client 5s",
    "    timeout server 5s",
  ];
}

/** A frontend on 127.0.0.1:`port` (PROXY protocol in) and its backend `name` with `directives`, servers not yet listed. */
function haproxyProxy(name: string, port: number, directives: readonly string[]): string[] {
  return [
    "",
    `frontend f_${name}`,
    `    bind 127.0.0.1:${port} accept-proxy`,
    "    option forwardfor",
    `    default_backend ${name}`,
    `backend ${name}`,
    ...directives.map((d) => `    ${d}`),
  ];
}

/** The options of `haproxy-stick-table` a stick-table case sets (the rest at their defaults). */
export interface StickOptions {
  on?: "src" | "cookie";
  size: number;
  expire?: number;
  nopurge?: boolean;
  redispatch?: boolean;
  /** The table is shared with the nodes of the `peers` section (haproxyPeersCfg). */
  peers?: true;
}

/** One HAProxy backend with a stick table, compared with `haproxy-stick-table` given `options`. */
export interface StickCase {
  name: string;
  servers: number;
  options: StickOptions;
  /** Listener (PROXY protocol) port on 127.0.0.1, filled in when the suite allocates ports. */
  port: number;
}

/**
 * The directives `haproxy-stick-table` models for these options: `balance roundrobin`, the table
 * (`type ip` for `stick on src`; `type string` for the learned `SID` cookie), one connection retry.
 */
export function stickDirectives(o: StickOptions): string[] {
  const table = `stick-table type ${o.on === "cookie" ? "string len 32" : "ip"} size ${o.size}${o.expire !== undefined ? ` expire ${o.expire * 1000}ms` : ""}${o.nopurge ? " nopurge" : ""}${o.peers ? ` peers ${PEERS_SECTION}` : ""}`;
  const rules = o.on === "cookie" ? ["stick match req.cook(SID)", "stick store-response res.cook(SID)"] : ["stick on src"];
  return ["balance roundrobin", table, ...rules, "retries 1", ...(o.redispatch ? ["option redispatch"] : [])];
}

/** The frontend and backend of one stick-table case: the backend named after it, its servers s1..sN with ids 1..N. */
function stickProxy(c: StickCase, backendPort: number): string[] {
  const lines = haproxyProxy(c.name, c.port, stickDirectives(c.options));
  for (let i = 0; i < c.servers; i++) lines.push(`    server s${i + 1} ${backendHost(i)}:${backendPort} id ${i + 1}`);
  return lines;
}

/** haproxy.cfg for the stick-table cases. */
export function haproxyStickCfg(cases: readonly StickCase[], dir: string, backendPort: number): string {
  return [...haproxyGlobal(dir), ...cases.flatMap((c) => stickProxy(c, backendPort))].join("\n") + "\n";
}

/** The `peers` section the shared tables name. */
const PEERS_SECTION = "lbsim";

/** One HAProxy process of a peers section: its peer name (`-L`), the loopback port it takes updates on, its stats socket and pid file named after it. */
export interface PeerNode {
  name: string;
  peerPort: number;
}

/**
 * haproxy.cfg for the node `local` of `nodes`, all in one `peers` section on 127.0.0.1: the
 * stick-table cases as haproxyStickCfg writes them (their tables say `peers` when the case does),
 * each case's `port` being this node's listener for it.
 */
export function haproxyPeersCfg(cases: readonly StickCase[], dir: string, backendPort: number, nodes: readonly PeerNode[], local: PeerNode): string {
  const peers = ["", `peers ${PEERS_SECTION}`, ...nodes.map((n) => `    peer ${n.name} 127.0.0.1:${n.peerPort}`)];
  return [...haproxyGlobal(dir, local.name), ...peers, ...cases.flatMap((c) => stickProxy(c, backendPort))].join("\n") + "\n";
}
