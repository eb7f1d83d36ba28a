import { defineEvent, oneServer } from "./define.js";

export const recoverEvent = defineEvent({
  action: "recover",
  summary: "A crashed server runs again with empty memory; health checks put it back after `rise` passed checks.",
  ...oneServer("The crashed server that comes back."),
  needs: "down",
  leaves: "up",
  takesAway: false,
  apply: (control, event, now) => control.recover(event.servers[0], now),
});
