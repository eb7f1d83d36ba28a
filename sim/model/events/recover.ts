import { z } from "zod";
import { defineEvent } from "./define.js";

export const recoverEvent = defineEvent({
  action: "recover",
  summary: "A crashed server runs again with empty memory; health checks put it back after `rise` passed checks.",
  value: z.string().describe("The crashed server that comes back."),
  targets: (name) => [{ name: name as string, path: [] }],
  needs: "down",
  leaves: "up",
  takesAway: false,
  apply: (control, event, now) => control.recover(event.servers[0], now),
});
