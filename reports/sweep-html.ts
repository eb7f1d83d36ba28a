import { valueText } from "../sim/sweep/grid.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { columns, esc, figure, headerRows, page, scoreCell, strategyCell, winnerOf } from "./html.js";
import { sweepCharts } from "./sweep-charts.js";

/** The sweep's report: one self-contained page (Vega inlined, data embedded), a chart per metric against the varied parameter. */
export function renderSweepHtml(sweep: SweepResult): string {
  const charts = sweepCharts(sweep);
  const grid = sweep.vary.map((v) => `<li><code>${esc(v.path)}</code>: ${v.values.map((x) => esc(valueText(x))).join(", ")}</li>`).join("\n");
  const points = sweep.points.length, strategies = sweep.points[0].result.results.length;
  return page(
    `lbsim sweep: ${sweep.scenario}`,
    `<header>
<p class="kicker">lbsim sweep</p>
<h1>${esc(sweep.scenario)}</h1>
<p class="description">${esc(sweep.description)}</p>
<p class="run">seed ${sweep.seed} · ${sweep.replications} replication${sweep.replications === 1 ? "" : "s"} per point · ${points} grid point${points === 1 ? "" : "s"} × ${strategies} strateg${strategies === 1 ? "y" : "ies"}</p>
<ul class="grid-axes">
${grid}
</ul>
</header>
${pointsTable(sweep)}
<section id="charts">
<h2>Charts</h2>
<div class="grid">
${charts.map(figure).join("\n")}
</div>
</section>`,
    ["lbsim-sweep", sweep],
    charts,
  );
}

/** The scorecard's headline columns, for each grid point a row per strategy. */
const SHOWN = ["disruptedVisitRate", "lostSessionRate", "remapRate", "loadSkew", "latencyMs.p99", "failedRequests", "affinityHitRate"].map((key) => columns.find((c) => c.key === key)!);

/** Every grid point's headline figures with their intervals; the best of a point highlighted where it beats the runner-up beyond noise. */
function pointsTable(sweep: SweepResult): string {
  const body = sweep.points.map((point) => {
    const results = point.result.results;
    const winners = SHOWN.map((c) => winnerOf(c, results));
    return results
      .map((r, i) => `<tr>${i === 0 ? `<th scope="rowgroup" rowspan="${results.length}" class="name">${esc(point.label)}</th>` : ""}${strategyCell(r)}${SHOWN.map((c, k) => scoreCell(c, r, winners[k])).join("")}</tr>`)
      .join("\n");
  });
  const n = sweep.replications;
  return `<section id="points">
<h2>Grid points</h2>
<div class="scroll"><table class="scorecard">
<thead>${headerRows(SHOWN).replace("<tr>", '<tr><th rowspan="2" class="name">Grid point</th>')}</thead>
<tbody>
${body.join("\n")}
</tbody>
</table></div>
<p class="note">Means over ${n} replication${n === 1 ? "" : "s"} per point; ± is the 95% confidence half-width. <span class="best-key">Highlighted</span>: a point's best value in its column, where it beats the runner-up at that point beyond noise (their difference, replication by replication, has a 95% interval that excludes 0).</p>
</section>`;
}
