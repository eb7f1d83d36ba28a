import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { editorJsonSchema } from "../sim/scenario/schema.js";

// This file runs from dist/scripts/, so the package root is two levels up.
const target = fileURLToPath(new URL("../../scenarios/lbsim.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(editorJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
