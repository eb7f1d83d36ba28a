import { defineStrategy } from "./define.js";
import { roundRobin } from "./round-robin.js";

/** No affinity at all: round robin, with the session carried by the client as a signed token. */
export const clientToken = defineStrategy({
  id: "client-token",
  summary: "Stateless servers: round robin, the session travels as a client-side token (cookie or JWT).",
  models: "no affinity + client-side session token (cookie size limits: RFC 6265 section 6.1; JWT: RFC 7519)",
  store: { kind: "token" },
  options: roundRobin.options,
  create: roundRobin.create,
});
