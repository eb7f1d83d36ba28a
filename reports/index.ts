export { renderHtml } from "./html.js";
export { renderCsv } from "./csv.js";
export { renderJson } from "./json.js";
export { renderTable } from "./table.js";
export { OUTPUT_FILES, type OutputFile, checkOutputDir } from "./output-dir.js";
export { Interrupted, writeOutputSet } from "./write.js";
export { progressReporter, type ProgressReporter } from "./progress.js";
