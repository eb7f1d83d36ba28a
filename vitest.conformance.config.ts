import { defineConfig } from "vitest/config";

// The live conformance suite (test/conformance/): real nginx and HAProxy against the simulator's
// strategies. Separate from `npm test` because it needs those programs; CI installs them.
export default defineConfig({
  test: {
    include: ["test/conformance/**/*.conformance.ts"],
    // One process per file, so the suite's exit hook can stop the balancers it started.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
