import type { Result } from "../sim/metrics/result.js";
import type { SweepResult } from "../sim/sweep/sweep-result.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderJson } from "./json.js";
import type { OutputFile } from "./output-dir.js";
import { renderSweepCsv } from "./sweep-csv.js";
import { renderSweepHtml } from "./sweep-html.js";
import { renderSweepJson } from "./sweep-text.js";

type Files = Partial<Record<OutputFile, string>>;

/** What `lbsim run` writes for a result. */
export function runFiles(result: Result): Files {
  return { "report.html": renderHtml(result), "results.csv": renderCsv(result), "results.json": renderJson(result) };
}

/** What `lbsim sweep` (and `lbsim merge`, from shards) writes for a sweep. */
export function sweepFiles(sweep: SweepResult): Files {
  return { "report.html": renderSweepHtml(sweep), "sweep.csv": renderSweepCsv(sweep), "sweep.json": renderSweepJson(sweep) };
}
