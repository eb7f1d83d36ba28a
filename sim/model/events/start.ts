import { z } from "zod";
import { defineEvent } from "./define.js";

export const startEvent = defineEvent({
  action: "start",
  summary: "A stopped (or crashed) server starts with empty memory; health checks put it back after `rise` passed checks.",
  value: z.string().describe("The server that starts."),
  targets: (name) => [{ name: name as string, path: [] }],
  needs: "down",
  leaves: "up",
  takesAway: false,
  apply: (control, event, now) => control.start(event.servers[0], now),
});
