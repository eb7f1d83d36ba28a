import { z } from "zod";
import { duration } from "../../scenario/fields.js";
import { defineEvent } from "./define.js";

/**
 * `{ "at": "30m", "reload": true }`: the balancer reloads its configuration. What it kept in memory
 * is gone: its tables (stick tables without peers, kube-proxy's ClientIP entries, a master
 * process's session map), its round-robin position; cookies are in the browsers and survive. The
 * old process keeps the connections it has (HAProxy's soft stop, nginx's old workers) until
 * `hardStopAfter` cuts them (HAProxy `hard-stop-after`, nginx `worker_shutdown_timeout`, 240 s
 * in ingress-nginx); without it they end on their own.
 */
export const reloadEvent = defineEvent({
  action: "reload",
  summary: "The balancer reloads: what it keeps in memory (tables, round-robin position) starts afresh, cookies survive; the old process keeps its connections until hardStopAfter.",
  value: z.literal(true).describe("true"),
  options: {
    hardStopAfter: duration
      .optional()
      .describe("Seconds after which the old process cuts the long-lived connections it still holds (HAProxy hard-stop-after, nginx worker_shutdown_timeout); default: never, they end on their own."),
  },
  plan: () => ({ servers: [] }),
  apply: (control, event, now) => control.reload(now, (event.options.hardStopAfter as number | undefined) ?? Infinity),
});
