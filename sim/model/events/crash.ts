import { defineEvent, oneServer } from "./define.js";

export const crashEvent = defineEvent({
  action: "crash",
  summary: "The server stops at once: requests in service or queued there fail and its memory is lost; health checks notice after `fall` failed checks.",
  ...oneServer("The server that crashes."),
  needs: "up",
  leaves: "down",
  takesAway: true,
  apply: (control, event, now) => control.crash(event.servers[0], now),
});
