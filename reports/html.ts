import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { causeInfo, lostCauses, topologyCauses } from "../sim/metrics/causes.js";
import { pairedDifference } from "../sim/metrics/paired.js";
import { metricAt } from "../sim/metrics/per-metric.js";
import type { Result, StrategyResult, TopologyEventResult } from "../sim/metrics/result.js";
import { flatten } from "../sim/metrics/summary.js";
import { type ChartSpec, reportCharts } from "./charts.js";

/** One self-contained HTML page (Vega inlined, data embedded) that opens without any network access. */
export function renderHtml(result: Result): string {
  const charts = reportCharts(result);
  return page(
    `lbsim: ${result.scenario}`,
    `${header(result)}
${scorecard(result)}
${differencesTable(result)}
<section id="charts">
<h2>Charts</h2>
<div class="grid">
${charts.map(figure).join("\n")}
</div>
${eventsTable(result)}
${phasesTable(result)}
${connectionsTable(result)}
${classesTable(result)}
</section>
${howToRead(result)}`,
    ["lbsim-result", result],
    charts,
  );
}

/**
 * A whole self-contained page: `body`, then `data` and the charts' specs as embedded JSON, Vega
 * inlined and the script that draws every chart into its figure.
 */
export function page(title: string, body: string, data: [id: string, value: unknown], charts: readonly ChartSpec[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
${jsonBlock(data[0], data[1])}
${jsonBlock("lbsim-charts", charts)}
${vegaScripts()
  .map((code) => `<script>${code}</script>`)
  .join("\n")}
<script>${BOOT}</script>
</body>
</html>
`;
}

/** Makes code safe to inline in a <script> element: `</script` would end it, `<!--` can make the parser skip the real end tag. */
export function safeScriptText(code: string): string {
  // \x3C is "<" inside the string, template or regex literal where such text occurs in practice.
  return code.replace(/<(?=\/script|!--)/gi, "\\x3C");
}

// Vega evaluates expressions with Function(), hence 'unsafe-eval'; everything else stays in the page.
const CSP =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const BOOT = `
(function () {
  var charts = JSON.parse(document.getElementById("lbsim-charts").textContent);
  charts.forEach(function (c) {
    var el = document.getElementById("chart-" + c.id);
    vegaEmbed(el, c.spec, { mode: "vega-lite", renderer: "svg", actions: false })
      .then(function () { el.setAttribute("data-rendered", "true"); })
      .catch(function (err) {
        el.setAttribute("data-rendered", "error");
        el.textContent = "This chart could not be drawn: " + err.message;
        console.error(err);
      });
  });
})();
`;

let cachedVega: string[] | undefined;

function vegaScripts(): string[] {
  if (cachedVega) return cachedVega;
  const require = createRequire(import.meta.url);
  // The packages' "exports" do not expose build/*.min.js, so find them beside each resolved entry point.
  const builds = [
    ["vega", "vega.min.js"],
    ["vega-lite", "vega-lite.min.js"],
    ["vega-embed", "vega-embed.min.js"],
  ] as const;
  cachedVega = builds.map(([pkg, file]) => {
    const code = readFileSync(join(dirname(require.resolve(pkg)), file), "utf8");
    return safeScriptText(code.replace(/^\/\/# sourceMappingURL=.*$/gm, ""));
  });
  return cachedVega;
}

function jsonBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, "\\u003c")}</script>`;
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

// ---- formatting ----

const sig3 = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });
const sig2 = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Formats a measure; one that is undefined (null: nothing to divide by, no sample) reads "n/a". */
const finite = (f: (x: number) => string) => (x: number | null) => (x !== null && Number.isFinite(x) ? f(x) : "n/a");
const num = finite((x) => sig3.format(x));
const pct = finite((x) => `${sig3.format(x * 100)}%`);
const count = finite((x) => whole.format(x));

function duration(seconds: number): string {
  if (seconds < 60) return `${sig3.format(seconds)}s`;
  const units: [string, number][] = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.join(" ");
}

// ---- page sections ----

function header(result: Result): string {
  const shown = result.servers.slice(0, 8).join(", ");
  const servers = `${result.servers.length} servers (${esc(shown)}${result.servers.length > 8 ? ", …" : ""})`;
  const run = [
    `seed ${result.seed}`,
    `${result.replications} replication${result.replications === 1 ? "" : "s"}`,
    `${duration(result.duration)} simulated`,
    `${duration(result.warmup)} warmup`,
    servers,
  ].join(" · ");
  return `<header>
<p class="kicker">lbsim report</p>
<h1>${esc(result.scenario)}</h1>
<p class="description">${esc(result.description)}</p>
<p class="run">${run}</p>
</header>`;
}

export interface Column {
  group: string;
  header: string;
  /** Dotted name in `metrics`, `estimates` and `vsBaseline`. */
  key: string;
  value: (r: StrategyResult) => number | null;
  format: (x: number | null) => string;
  /** A half-width or a difference in the column's unit (points for shares). */
  spread: (x: number) => string;
  /** Which way is better; null for context columns that are not scored. */
  better: "lower" | "higher" | null;
}

/** Half-widths and differences with two significant digits; a share's in percentage points. */
const points = (x: number) => `${sig2.format(x * 100)}%`;
const spread2 = (x: number) => sig2.format(x);

function metricColumn(group: string, header: string, key: string, get: (r: StrategyResult) => number | null, format: (x: number | null) => string, better: Column["better"]): Column {
  return { group, header, key, value: get, format, spread: format === pct ? points : spread2, better };
}

export const columns: Column[] = [
  metricColumn("", "Disrupted visits", "disruptedVisitRate", (r) => r.metrics.disruptedVisitRate, pct, "lower"),
  metricColumn("", "Lost sessions", "lostSessionRate", (r) => r.metrics.lostSessionRate, pct, "lower"),
  metricColumn("", "Remap rate", "remapRate", (r) => r.metrics.remapRate, pct, "lower"),
  metricColumn("Load skew", "mean", "loadSkew", (r) => r.metrics.loadSkew, num, "lower"),
  metricColumn("Load skew", "peak", "peakLoadSkew", (r) => r.metrics.peakLoadSkew, num, "lower"),
  metricColumn("Load skew", "CoV", "loadCov", (r) => r.metrics.loadCov, num, "lower"),
  metricColumn("Latency (ms)", "p50", "latencyMs.p50", (r) => r.metrics.latencyMs.p50, num, "lower"),
  metricColumn("Latency (ms)", "p95", "latencyMs.p95", (r) => r.metrics.latencyMs.p95, num, "lower"),
  metricColumn("Latency (ms)", "p99", "latencyMs.p99", (r) => r.metrics.latencyMs.p99, num, "lower"),
  metricColumn("", "Failed requests", "failedRequests", (r) => r.metrics.failedRequests, count, "lower"),
  metricColumn("", "Affinity hit rate", "affinityHitRate", (r) => r.metrics.affinityHitRate, pct, "higher"),
  metricColumn("", "Sessions", "sessions", (r) => r.metrics.sessions, count, null),
  metricColumn("", "Requests", "requests", (r) => r.metrics.requests, count, null),
];

const scored = columns.filter((c) => c.better);

/** A metric's value in each replication of a strategy. */
const series = (r: StrategyResult, key: string) => r.replications.map((m) => flatten(m)[key]);

/**
 * The strategy with the best value of a column, when it is better than the runner-up beyond
 * noise: their difference, paired by replication, excludes 0. Undefined for context columns,
 * ties, and a lead the replications cannot tell from chance.
 */
export function winnerOf(column: Column, rows: readonly StrategyResult[]): StrategyResult | undefined {
  const sign = column.better === "lower" ? 1 : -1;
  const ranked = rows.filter((r) => Number.isFinite(column.value(r))).sort((a, b) => sign * ((column.value(a) as number) - (column.value(b) as number)));
  if (!column.better || ranked.length < 2) return undefined;
  const [best, runnerUp] = ranked;
  return pairedDifference(series(best, column.key), series(runnerUp, column.key)).distinguishable ? best : undefined;
}

export function headerRows(shown: readonly Column[]): string {
  const top: string[] = ['<th rowspan="2" class="name">Strategy</th>'];
  for (let i = 0; i < shown.length; ) {
    const group = shown[i].group;
    let span = 1;
    while (group && shown[i + span]?.group === group) span++;
    top.push(group ? `<th colspan="${span}" class="group">${group}</th>` : `<th rowspan="2">${shown[i].header}</th>`);
    i += span;
  }
  const sub = shown.filter((c) => c.group).map((c) => `<th>${c.header}</th>`);
  return `<tr>${top.join("")}</tr>\n<tr>${sub.join("")}</tr>`;
}

export function strategyCell(r: StrategyResult): string {
  const detail = r.id === r.strategy ? `${r.store} store` : `${r.id} · ${r.store} store`;
  return `<th scope="row" class="name">${esc(r.strategy)}<span class="detail">${esc(detail)}</span></th>`;
}

export function scoreCell(column: Column, r: StrategyResult, winner: StrategyResult | undefined): string {
  const half = metricAt(r.estimates, column.key)?.ci95;
  const ci = half == null ? "" : ` <span class="ci">± ${column.spread(half)}</span>`;
  return `<td${r === winner ? ' class="best"' : ""}>${column.format(column.value(r))}${ci}</td>`;
}

function scorecard(result: Result): string {
  const winners = columns.map((c) => winnerOf(c, result.results));
  const rows = result.results.map(
    (r) => `<tr>${strategyCell(r)}${columns.map((c, i) => scoreCell(c, r, winners[i])).join("")}</tr>`,
  );
  const n = result.replications;
  return `<section id="scorecard">
<h2>Scorecard</h2>
<div class="scroll"><table class="scorecard">
<thead>${headerRows(columns)}</thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></div>
<p class="note">Means over ${n} replication${n === 1 ? "" : "s"}. ± is the 95% confidence half-width.
<span class="best-key">Highlighted</span>: the best value in its column (lower is better, except affinity hit rate), where it is better than the runner-up beyond noise: their difference, replication by replication, has a 95% interval that excludes 0. A column whose best is within noise of the next has none highlighted${n < 2 ? ", and with one replication none can be" : ""}. Sessions and requests are context, not scored.</p>
</section>`;
}

/** A difference with its sign, in the column's format ("−87.5%" for a share: points). */
function signed(column: Column, x: number): string {
  return `${x > 0 ? "+" : x < 0 ? "−" : ""}${column.format(Math.abs(x))}`;
}

/** How the paired half-width compares with the unpaired one. */
function narrowing(ratio: number | null, unpaired: number | null, column: Column): string {
  if (unpaired === null) return "";
  const factor = ratio === null ? "" : ratio < 0.95 ? ` · ${sig2.format(1 / ratio)}× narrower` : ratio > 1.05 ? ` · ${sig2.format(ratio)}× wider` : " · as wide";
  return `<span class="detail">unpaired ± ${column.spread(unpaired)}${factor}</span>`;
}

function differenceCell(column: Column, r: StrategyResult): string {
  const d = metricAt(r.vsBaseline, column.key);
  if (d?.mean == null) return "<td>n/a</td>";
  if (d.mean === 0 && d.sd === 0) return `<td class="same">0<span class="detail">the same in every replication</span></td>`;
  const ci = d.ci95 === null ? "" : ` <span class="ci">± ${column.spread(d.ci95)}</span>`;
  const marked = d.ci95 !== null && !d.distinguishable;
  return `<td${marked ? ' class="same"' : ""}>${marked ? "≈ 0: " : ""}${signed(column, d.mean)}${ci}${narrowing(d.pairedToUnpaired, d.unpairedCi95, column)}</td>`;
}

/** Each other strategy minus the baseline, per scored column, with the paired interval beside the unpaired one. */
function differencesTable(result: Result): string {
  const others = result.results.filter((r) => r.strategy !== result.baseline);
  if (others.length === 0) return "";
  const rows = others.map((r) => `<tr>${strategyCell(r)}${scored.map((c) => differenceCell(c, r)).join("")}</tr>`);
  return `<section id="differences">
<h2>Differences to ${esc(result.baseline)}</h2>
<div class="scroll"><table class="differences">
<thead>${headerRows(scored)}</thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></div>
<p class="note">Each strategy's value minus ${esc(result.baseline)}'s, replication by replication, then the mean of those differences and its 95% half-width (shares in percentage points).
Every strategy sees the same users, requests and failures in a replication, so a difference between two strategies is measured on the same traffic; where both move together with the traffic, the paired interval is narrower than the unpaired one (the half-width the same difference of means would have if the runs had been independent, Welch's), and it can be wider where they do not, having fewer degrees of freedom.
<span class="same">≈ 0</span>: the interval holds 0, so the difference is not distinguishable from zero${result.replications < 2 ? "; with one replication there is no interval, so nothing can be told apart from chance" : ""}.</p>
</section>`;
}

export function figure(chart: ChartSpec): string {
  return `<figure class="chart ${chart.layout}">
<figcaption><h3>${esc(chart.title)}</h3><p>${esc(chart.caption)}</p></figcaption>
<div class="view" id="chart-${esc(chart.id)}" data-chart="${esc(chart.id)}"></div>
</figure>`;
}

interface EventGroup {
  event: TopologyEventResult;
  rows: { strategy: StrategyResult; event: TopologyEventResult }[];
}

/** Groups the per-strategy event lists by event, so strategies can be compared on the same event. */
function eventGroups(result: Result): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const r of result.results) {
    for (const e of r.events) {
      const key = `${e.at}|${e.action}|${e.server}`;
      const group = groups.get(key) ?? { event: e, rows: [] };
      group.rows.push({ strategy: r, event: e });
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort((a, b) => a.event.at - b.event.at);
}

/** Events that always drain a server. A `remove` drains only with a deadline, which shows in its figures (the result does not carry the option). */
const DRAINING = new Set(["drain", "rollingDeploy"]);

function isDrain(g: EventGroup): boolean {
  if (DRAINING.has(g.event.action)) return true;
  return g.event.action === "remove" && g.rows.some(({ event: e }) => e.emptiedAfter !== null || e.lostByCause.drainDeadline > 0);
}

/** The 95% half-width of a share beside it, in points. */
function shareCi(half: number | null | undefined): string {
  return half == null || half === 0 ? "" : ` <span class="ci">± ${sig2.format(half * 100)}%</span>`;
}

/** The 95% half-width of a count (a mean over replications) beside it. */
function countCi(half: number | null | undefined): string {
  return half == null || half === 0 ? "" : ` <span class="ci">± ${sig2.format(half)}</span>`;
}

/** Shade of a loss cell by the share of active sessions lost: none, under 1%, under 5%, under 20%, more. */
function lossClass(e: TopologyEventResult): string {
  if (!(e.lostSessions > 0)) return "";
  const f = e.lostFraction ?? 0;
  const level = f < 0.01 ? 1 : f < 0.05 ? 2 : f < 0.2 ? 3 : 4;
  return ` class="loss${level}"`;
}

function lostCells(e: TopologyEventResult): string {
  const cls = lossClass(e);
  const causes = topologyCauses.filter((c) => e.lostByCause[c] > 0);
  // A cause's count with its half-width, as plain text (the detail line and the hover title).
  const lost = (c: (typeof topologyCauses)[number]) => {
    const half = e.ci95?.lostByCause?.[c];
    return `${count(e.lostByCause[c])}${half == null || half === 0 ? "" : ` ± ${sig2.format(half)}`}`;
  };
  const title = topologyCauses.map((c) => `${causeInfo[c].title}: ${lost(c)}`).join(" · ");
  const detail = causes.length ? `<span class="detail">${causes.map((c) => `${esc(causeInfo[c].title.toLowerCase())} ${lost(c)}`).join(" · ")}</span>` : "";
  return `<td${cls} title="${esc(title)}">${count(e.lostSessions)}${countCi(e.ci95?.lostSessions)}${detail}</td><td${cls}>${pct(e.lostFraction)}${shareCi(e.ci95?.lostFraction)}</td>`;
}

function emptiedCell(drain: boolean, e: TopologyEventResult): string {
  if (!drain) return `<td class="drained muted">–</td>`;
  if (e.emptiedAfter === null) return `<td class="drained still">still in use at the deadline</td>`;
  const half = e.ci95?.emptiedAfter;
  const ci = half == null || half === 0 ? "" : ` <span class="ci">± ${sig2.format(half)}s</span>`;
  return `<td class="drained">emptied after ${duration(e.emptiedAfter)}${ci}</td>`;
}

function eventRow(drainColumn: boolean, drain: boolean) {
  return ({ strategy, event: e }: EventGroup["rows"][number]): string => {
    const cells = [
      `<td>${count(e.activeSessions)}${countCi(e.ci95?.activeSessions)}</td>`,
      `<td>${count(e.returnedSessions)}${countCi(e.ci95?.returnedSessions)}</td>`,
      `<td>${count(e.movedSessions)}${countCi(e.ci95?.movedSessions)}</td>`,
      `<td>${pct(e.remapFraction)}${shareCi(e.ci95?.remapFraction)}</td>`,
      `<td>${pct(e.minimumFraction)}${shareCi(e.ci95?.minimumFraction)}</td>`,
      `<td>${pct(e.balancedFraction)}${shareCi(e.ci95?.balancedFraction)}</td>`,
      lostCells(e),
      drainColumn ? emptiedCell(drain, e) : "",
    ];
    return `<tr>${strategyCell(strategy)}${cells.join("")}</tr>`;
  };
}

function eventsTable(result: Result): string {
  const groups = eventGroups(result);
  if (!groups.length) return `<div class="events-block"><h3>Topology events</h3>\n<p class="note">No topology events in this scenario.</p></div>`;
  const drainColumn = groups.some(isDrain);
  const span = drainColumn ? 10 : 9;
  const head = `<thead><tr><th rowspan="2" class="name">Strategy</th><th rowspan="2">Active sessions</th><th rowspan="2">Returned</th><th colspan="2" class="group">Moved</th><th colspan="2" class="group">Must move</th><th colspan="2" class="group">Lost because of the event</th>${drainColumn ? '<th rowspan="2" class="drained">Drained server</th>' : ""}</tr>
<tr><th>sessions</th><th>share</th><th>minimum</th><th>balanced</th><th>sessions</th><th>of active</th></tr></thead>`;
  const bodies = groups.map((g) => {
    const rows = g.rows.map(eventRow(drainColumn, isDrain(g)));
    return `<tbody><tr class="event"><th colspan="${span}">${duration(g.event.at)}: ${esc(g.event.action)} ${esc(g.event.server)}</th></tr>\n${rows.join("\n")}</tbody>`;
  });
  const drainNote = drainColumn
    ? `<br>Drained server: how long the drained server (the slowest, for several) took until it held no session in use; "still in use at the deadline" where it stopped with sessions on it.`
    : "";
  return `<div class="events-block"><h3>Topology events</h3>
<div class="scroll"><table class="events">
${head}
${bodies.join("\n")}
</table></div>
<p class="note">Each event is judged once it has taken effect (health checks agree, drains reached their deadline, deploys finished). Figures are means over the replications, each ± its 95% half-width (none with one replication, or where every replication agreed).
Moved: the sessions that came back after the event and went to a different server than before, and their share of those that came back.
Minimum: the share any strategy must move (sessions whose server was taken away); balanced: the share a strategy that keeps load balanced by weight must move (for an addition, the new servers' share of the new total weight).</p>
<p class="note"><strong>A move is only a loss where the store makes it one:</strong> with sessions in the servers' memory the state stays behind, with a shared store or client-side tokens a move costs nothing. So moves are not marked; losses are.</p>
<p class="note">Lost: sessions active at the event that lost their state because of it (moved away from it, the memory of a crashed or stopped server, a drain's deadline; causes below the count, all of them on hover), and their share of the active sessions, shaded
<span class="loss1">under 1%</span> <span class="loss2">under 5%</span> <span class="loss3">under 20%</span> <span class="loss4">more</span>.${drainNote}</p>
</div>`;
}

/** Per strategy, the measured interval phase by phase (between consecutive event times): what each step cost while it lasted. */
function phasesTable(result: Result): string {
  const withPhases = result.results.filter((r) => r.phases.length > 0);
  if (!withPhases.length) return "";
  const head = `<thead><tr><th class="name">Strategy</th><th>Phase</th><th>Requests</th><th>Failed</th><th>Lost sessions</th><th>Disrupted visits</th><th>p50 ms</th><th>p99 ms</th><th>Store ops/s</th></tr></thead>`;
  const bodies = withPhases.map((r) => {
    const rows = r.phases.map((p, i) => {
      const causes = Object.entries(p.lostByCause).filter(([, n]) => n > 0).map(([cause, n]) => `${cause} ${sig3.format(n)}`).join(", ");
      const phase = `${duration(p.from)}–${duration(p.to)}: ${esc(p.startedBy)}`;
      return `<tr>${i === 0 ? `<th scope="row" rowspan="${r.phases.length}" class="name">${esc(r.strategy)}</th>` : ""}<td class="phase">${phase}</td><td>${count(p.requests)}</td><td>${count(p.failedRequests)}</td><td${causes ? ` title="${esc(causes)}"` : ""}>${count(p.lostSessions)}${causes ? `<span class="detail">${esc(causes)}</span>` : ""}</td><td>${count(p.disruptedVisits)}</td><td>${num(p.latencyMs.p50)}</td><td>${num(p.latencyMs.p99)}</td><td>${num(p.storeOperationsPerSecond)}</td></tr>`;
    });
    return `<tbody>${rows.join("\n")}</tbody>`;
  });
  return `<div class="events-block"><h3>Phases</h3>
<div class="scroll"><table class="events phases">
${head}
${bodies.join("\n")}
</table></div>
<p class="note">The measured interval cut at the scenario's event times, means over replications: requests by when they were sent; failures, answers, losses and disrupted visits by when they happened. Store ops/s: reads and writes at the session store per second (n/a for stores in server memory or the client).</p>
</div>`;
}

/** Per strategy, what long-lived connections went through: skew, drops, the reconnect storm, how long a returned server stayed short. */
function connectionsTable(result: Result): string {
  const rows = result.results.filter((r) => r.metrics.connections);
  if (!rows.length) return "";
  // Message latency exists where messages were simulated one by one (clients.websocket.messageService).
  const latency = rows.some((r) => r.metrics.connections!.messageLatencyMs);
  const head = `<thead><tr><th class="name">Strategy</th><th>Open</th><th>Connection skew</th><th>Dropped</th><th>Reconnect attempts</th><th>Peak attempts/s</th><th>Refused</th><th>Gave up</th><th>Skewed after a return</th><th>Messages/s</th>${latency ? "<th>Message latency p50 / p99 ms</th><th>Messages dropped</th>" : ""}</tr></thead>`;
  const body = rows.map((r) => {
    const c = r.metrics.connections!;
    const peakAt = c.peakReconnectAt === null ? "" : `<span class="detail">at ${duration(c.peakReconnectAt)}</span>`;
    const settled = c.skewAfterReturnSeconds === null ? "n/a" : `${duration(c.skewAfterReturnSeconds)}${c.skewedAtEnd > 0 ? `<span class="detail">${count(c.skewedAtEnd)} still skewed at the end</span>` : ""}`;
    return `<tr><th scope="row" class="name">${esc(r.strategy)}</th><td>${num(c.meanOpen)}</td><td>${num(c.skew)} (peak ${num(c.peakSkew)})</td><td>${count(c.dropped)}</td><td>${count(c.reconnectAttempts)}</td><td>${count(c.peakReconnectsPerSecond)}${peakAt}</td><td>${count(c.refused)}</td><td>${count(c.gaveUp)}</td><td>${settled}</td><td>${num(c.messagesPerSecond)}</td>${latency ? `<td>${num(c.messageLatencyMs?.p50 ?? null)} / ${num(c.messageLatencyMs?.p99 ?? null)}</td><td>${count(c.messagesDropped ?? 0)}</td>` : ""}</tr>`;
  });
  return `<div class="events-block"><h3>Connections</h3>
<div class="scroll"><table class="events connections">
${head}
<tbody>${body.join("\n")}</tbody>
</table></div>
<p class="note">WebSocket connections, means over replications. Open: connections open in all at the load windows' ends. Connection skew: the busiest server's open connections over the mean across servers that are up. Dropped: cut because their server went; each client then reconnects after its backoff, every attempt routed again (the storm is the busiest second of attempts). Skewed after a return: how long after a server came back the connection skew stayed above 1.2, checked every second; connections never move back by themselves.${latency ? " Message latency: from a message reaching its server to its answer, waiting with the requests for the same workers." : ""}</p>
</div>`;
}

/** Per strategy, each device class's own figures: what the users of each kind of device got from the strategy that routed them. */
function classesTable(result: Result): string {
  const classes = result.classes;
  if (!classes) return "";
  const head = `<thead><tr><th class="name">Strategy</th><th class="name">Class</th><th>Requests</th><th>Failed</th><th>Sessions</th><th>Lost sessions</th><th>Disrupted visits</th><th>Remap rate</th><th>Affinity hit rate</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr></thead>`;
  const bodies = result.results.map((r) => {
    const rows = classes.map(({ name, fraction }, i) => {
      const m = r.metrics.byClass?.[name];
      if (!m) return "";
      const causes = Object.entries(m.lostByCause).filter(([, n]) => n > 0).map(([cause, n]) => `${cause} ${sig3.format(n)}`).join(", ");
      const lost = `${pct(m.lostSessionRate)}<span class="detail">${count(m.lostSessions)}${causes ? `: ${esc(causes)}` : ""}</span>`;
      const who = `${esc(name)}<span class="detail">${pct(fraction)} of users · ${esc(r.classes?.[name] ?? r.id)}</span>`;
      return `<tr>${i === 0 ? `<th scope="row" rowspan="${classes.length}" class="name">${esc(r.strategy)}</th>` : ""}<td class="class">${who}</td><td>${count(m.requests)}</td><td>${count(m.failedRequests)}</td><td>${count(m.sessions)}</td><td${causes ? ` title="${esc(causes)}"` : ""}>${lost}</td><td>${pct(m.disruptedVisitRate)}</td><td>${pct(m.remapRate)}</td><td>${pct(m.affinityHitRate)}</td><td>${num(m.latencyMs.p50)}</td><td>${num(m.latencyMs.p95)}</td><td>${num(m.latencyMs.p99)}</td></tr>`;
    });
    return `<tbody>${rows.join("\n")}</tbody>`;
  });
  return `<div class="events-block"><h3>By device class</h3>
<div class="scroll"><table class="events classes">
${head}
${bodies.join("\n")}
</table></div>
<p class="note">Each class's users on their own, means over replications, with the strategy that routed them (an entry's own for a class it does not name): the counts add up to the scorecard's; the rates and latencies are the class's own.</p>
</div>`;
}

const definitions: [string, string][] = [
  ["Disrupted visits", "Visits in which the user lost a session at least once, over the visits started after the warmup: how many users noticed, whatever the number of losses each."],
  ["Lost sessions", "Times a request of a live session reached a server that could not read its state (not in that server's memory, store down or lost the data, token rejected) so the user had to start over; the rate is losses / sessions that lived while measuring, so a user who loses on every request counts every time."],
  ["Lost by cause", "The same count split by cause: " + lostCauses.map((c) => `${causeInfo[c].title} (${causeInfo[c].description.replace(/\.$/, "")})`).join("; ") + "."],
  ["Remap rate", "Requests of an existing session routed to a different server than that session's previous request, divided by requests of existing sessions."],
  ["Topology events", "Per topology event, once it has taken effect: the share of the sessions that came back and went to a different server, next to the minimum any strategy must move (the sessions of servers taken away) and the share a weight-balanced strategy must move; the sessions active at the event that were lost because of it, by cause; and for drains, how long the server took to empty. Moves cost sessions only where the servers keep them in memory."],
  ["Load skew", "Per-server load (requests per window, default 60 s, divided by weight), max over mean across servers that are up, averaged over windows; peak is its worst window and CoV the coefficient of variation."],
  ["Latency", "Response time percentiles p50, p95, p99 (queueing + service + store trips)."],
  ["Failed requests", "Requests that got no answer: in flight on a crashing server, sent to a dead server before health checks noticed, rejected by a full queue, or sent when no server was eligible."],
  ["Affinity hit rate", "Requests of existing sessions served by the server that already held the session in memory, divided by requests of existing sessions (the denominator of remap rate)."],
  ["Sessions, requests", "Sessions started and requests sent; every strategy sees the same clients, requests and failures, so differences between strategies are paired."],
];

const classDefinition: [string, string] = [
  "Device classes",
  "Users come in classes (clients.classes, such as mobile and desktop), each drawn at a user's first arrival; a strategy entry may route a class through a strategy of its own over the same servers and store, as separate load balancers in front of one set of servers would. Every metric is also given per class.",
];

function howToRead(result: Result): string {
  const items = [...definitions, ...(result.classes ? [classDefinition] : [])].map(([term, text]) => `<dt>${esc(term)}</dt><dd>${esc(text)}</dd>`);
  return `<section id="how-to-read">
<h2>How to read this</h2>
<dl>
${items.join("\n")}
</dl>
</section>`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --best: #e3f4e1; --best-ink: #11501d; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1140px; padding: 24px 28px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 0 0 2px; }
.kicker { margin: 0; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
.description { margin: 0 0 6px; font-size: 15px; }
.run { margin: 0; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 7px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; white-space: nowrap; }
thead th { font-size: 12px; font-weight: 600; color: var(--muted); vertical-align: bottom; border-bottom: 2px solid var(--ink); white-space: normal; }
thead th.group { text-align: center; border-bottom: 1px solid var(--rule); }
th.name { text-align: left; white-space: normal; min-width: 10em; }
tbody th.name { font-weight: 600; }
.detail { display: block; font-weight: 400; font-size: 11.5px; color: var(--muted); }
td.best { background: var(--best); color: var(--best-ink); font-weight: 700; }
.best-key { background: var(--best); color: var(--best-ink); font-weight: 700; padding: 0 4px; }
.ci { color: var(--muted); font-size: 12px; }
td.best .ci { color: inherit; }
td.same, span.same { color: var(--muted); }
span.same { font-weight: 600; }
.note { color: var(--muted); font-size: 12.5px; margin: 8px 0 0; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 28px 32px; }
.chart { margin: 0; min-width: 0; }
.chart.wide { grid-column: 1 / -1; }
.chart figcaption p { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; }
.view { min-height: 60px; }
.view svg { max-width: 100%; height: auto; }
.events-block { margin-top: 30px; }
.events-block h3 { margin-bottom: 8px; }
table.events tr.event th { text-align: left; background: #f4f4f6; font-weight: 600; border-bottom: 1px solid var(--rule); }
table.events th.name { min-width: 8.5em; }
table.events .drained { white-space: normal; min-width: 7.5em; text-align: left; }
table.events td.muted { color: var(--muted); }
table.events td.still { color: #8a4b00; }
table.phases td.phase { text-align: left; white-space: nowrap; }
table.classes td.class { text-align: left; }
.loss1 { background: #fbeae8; }
.loss2 { background: #f6d2ce; }
.loss3 { background: #eeaaa3; }
.loss4 { background: #e07d73; color: #3b0906; }
span.loss1, span.loss2, span.loss3, span.loss4 { padding: 0 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .grid { grid-template-columns: 1fr; }
  .chart, table, .events-block, dl { break-inside: avoid; }
  h2 { break-after: avoid; }
  th, td { padding: 3px 4px; font-size: 8pt; }
  th.name { min-width: 7em; }
  .scorecard .ci, .differences .ci { display: block; }
  .scroll { overflow: visible; }
  td.best, .best-key, .loss1, .loss2, .loss3, .loss4 { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 12mm; }
`;
