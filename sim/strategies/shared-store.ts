import { defineStrategy } from "./define.js";
import { roundRobin } from "./round-robin.js";

/** No affinity at all: round robin, relying on a shared session store that every server reads. */
export const sharedStore = defineStrategy({
  id: "shared-store",
  summary: "Stateless servers: round robin in front of a shared (Redis-like) session store.",
  models: "no affinity + a shared session store that every server reads and writes (the usual stateless-server design)",
  store: { kind: "shared" },
  options: roundRobin.options,
  create: roundRobin.create,
});
