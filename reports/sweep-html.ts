import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { BOOT, CSP, CSS, esc, figure, jsonBlock, vegaScripts } from "./html.js";
import { sweepCharts } from "./sweep-charts.js";

/** The sweep's report: one self-contained page (Vega inlined, data embedded), a chart per metric against the varied parameter. */
export function renderSweepHtml(sweep: SweepResult): string {
  const charts = sweepCharts(sweep);
  const grid = sweep.vary.map((v) => `<li><code>${esc(v.path)}</code>: ${v.values.map((x) => esc(typeof x === "string" ? x : JSON.stringify(x))).join(", ")}</li>`).join("\n");
  const points = sweep.points.length, strategies = sweep.points[0].result.results.length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>lbsim sweep: ${esc(sweep.scenario)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<p class="kicker">lbsim sweep</p>
<h1>${esc(sweep.scenario)}</h1>
<p class="description">${esc(sweep.description)}</p>
<p class="run">seed ${sweep.seed} · ${sweep.replications} replication${sweep.replications === 1 ? "" : "s"} per point · ${points} grid point${points === 1 ? "" : "s"} × ${strategies} strateg${strategies === 1 ? "y" : "ies"}</p>
<ul class="grid-axes">
${grid}
</ul>
</header>
<section id="charts">
<h2>Charts</h2>
<div class="grid">
${charts.map(figure).join("\n")}
</div>
</section>
${jsonBlock("lbsim-sweep", sweep)}
${jsonBlock("lbsim-charts", charts)}
${vegaScripts()
  .map((code) => `<script>${code}</script>`)
  .join("\n")}
<script>${BOOT}</script>
</body>
</html>
`;
}
