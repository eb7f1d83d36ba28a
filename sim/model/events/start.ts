import { defineEvent, oneServer } from "./define.js";

export const startEvent = defineEvent({
  action: "start",
  summary: "A stopped (or crashed) server starts with empty memory; health checks put it back after `rise` passed checks.",
  ...oneServer("The server that starts."),
  needs: "down",
  leaves: "up",
  takesAway: false,
  apply: (control, event, now) => control.start(event.servers[0], now),
});
