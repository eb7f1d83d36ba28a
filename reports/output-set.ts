import type { Result } from "../sim/metrics/result.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderJson } from "./json.js";
import type { OutputFile } from "./output-dir.js";
import { renderSweepCsv } from "./sweep-csv.js";
import { renderSweepHtml } from "./sweep-html.js";
import { renderSweepJson } from "./sweep-text.js";
import { tidyFiles } from "./tidy-csv.js";

type Files = Partial<Record<OutputFile, string>>;

/** What `lbsim run` writes for a result. */
export function runFiles(result: Result): Files {
  return { "report.html": renderHtml(result), "results.csv": renderCsv(result), "results.json": renderJson(result), ...tidyFiles([{ result, values: {} }], []) };
}

/** What `lbsim sweep` (and `lbsim merge`, from shards) writes for a sweep: the tidy CSVs have a row set per grid point. */
export function sweepFiles(sweep: SweepResult): Files {
  const tidy = tidyFiles(sweep.points.map((p) => ({ result: p.result, values: p.values })), sweep.vary.map((v) => v.path));
  return { "report.html": renderSweepHtml(sweep), "sweep.csv": renderSweepCsv(sweep), "sweep.json": renderSweepJson(sweep), ...tidy };
}
