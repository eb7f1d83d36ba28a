import { z } from "zod";
import { defineEvent } from "./define.js";

export const stopEvent = defineEvent({
  action: "stop",
  summary: "A planned stop: the server refuses new connections at once, answers the requests it has accepted, then exits with its memory.",
  value: z.string().describe("The server that stops."),
  targets: (name) => [{ name: name as string, path: [] }],
  needs: "up",
  leaves: "down",
  takesAway: true,
  apply: (control, event, now) => control.stop(event.servers[0], now),
});
