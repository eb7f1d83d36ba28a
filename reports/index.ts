export { renderHtml } from "./html.js";
export { renderCsv } from "./csv.js";
export { renderJson } from "./json.js";
export { renderTable } from "./table.js";
export { writeOutputs } from "./write.js";
