import { z } from "zod";
import { defineEvent } from "./define.js";

export const crashEvent = defineEvent({
  action: "crash",
  summary: "The server stops at once: requests in service or queued there fail and its memory is lost; health checks notice after `fall` failed checks.",
  value: z.string().describe("The server that crashes."),
  needs: "up",
  leaves: "down",
  takesAway: true,
  apply: (control, server, now) => control.crash(server, now),
});
