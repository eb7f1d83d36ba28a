import { defineEvent, oneServer } from "./define.js";

export const stopEvent = defineEvent({
  action: "stop",
  summary: "A planned stop: the server refuses new connections at once, answers the requests it has accepted, then exits with its memory.",
  ...oneServer("The server that stops."),
  needs: "up",
  leaves: "down",
  takesAway: true,
  apply: (control, event, now) => control.stop(event.servers[0], now),
});
