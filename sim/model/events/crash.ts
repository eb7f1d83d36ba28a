import { z } from "zod";
import { defineEvent } from "./define.js";

export const crashEvent = defineEvent({
  action: "crash",
  summary: "The server stops at once: requests in service or queued there fail and its memory is lost; health checks notice after `fall` failed checks.",
  value: z.string().describe("The server that crashes."),
  targets: (name) => [{ name: name as string, path: [] }],
  needs: "up",
  leaves: "down",
  takesAway: true,
  apply: (control, event, now) => control.crash(event.servers[0], now),
});
