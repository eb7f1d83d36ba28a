import { serverStateEvent } from "./define.js";

export const recoverEvent = serverStateEvent({
  action: "recover",
  summary: "A crashed server runs again with empty memory; health checks put it back after `rise` passed checks.",
  describe: "The crashed server that comes back.",
  from: ["down"],
  to: "up",
  change: (control, server, now) => control.recover(server, now),
});
