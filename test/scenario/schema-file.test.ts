import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../sim/scenario/load.js";
import { editorJsonSchema } from "../../sim/scenario/schema.js";

const scenariosDir = fileURLToPath(new URL("../../scenarios/", import.meta.url));
const schemaFile = `${scenariosDir}lbsim.schema.json`;
const examples = readdirSync(scenariosDir).filter((f) => f.endsWith(".json") && f !== "lbsim.schema.json");

describe("scenarios/lbsim.schema.json", () => {
  it("is what editorJsonSchema() gives today (run `npm run schema` after changing the schema)", () => {
    const text = readFileSync(schemaFile, "utf8");
    expect(JSON.parse(text)).toEqual(editorJsonSchema());
    expect(text).toBe(`${JSON.stringify(editorJsonSchema(), null, 2)}\n`);
  });

  it("requires servers and strategies and nothing else", () => {
    expect(editorJsonSchema().required).toEqual(["servers", "strategies"]);
  });
});

describe("example scenarios", () => {
  it.each(examples.length > 0 ? examples : ["(none)"])("%s is valid", (name) => {
    if (name === "(none)") return;
    const scenario = loadScenarioFile(`${scenariosDir}${name}`);
    expect(scenario.strategies.length).toBeGreaterThan(0);
    expect(scenario.servers.list.length).toBeGreaterThan(0);
  });
});
