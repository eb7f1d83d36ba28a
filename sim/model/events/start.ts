import { serverStateEvent } from "./define.js";

export const startEvent = serverStateEvent({
  action: "start",
  summary: "A stopped (or crashed) server starts with empty memory; health checks put it back after `rise` passed checks.",
  describe: "The server that starts.",
  from: ["down"],
  to: "up",
  change: (control, server, now) => control.start(server, now),
});
