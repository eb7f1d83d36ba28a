import { fileURLToPath } from "node:url";
import { lbsimVersion } from "../sim/version.js";

/** The folder holding package.json and scenarios/, from the sources (tests) or the build (dist/cli/). */
export const packageRoot = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url));

/** lbsim's version, from package.json. */
export const version: string = lbsimVersion();
