import { serverStateEvent } from "./define.js";

export const stopEvent = serverStateEvent({
  action: "stop",
  summary: "A planned stop: the server refuses new connections at once, answers the requests it has accepted, then exits with its memory.",
  describe: "The server that stops.",
  from: ["up", "draining", "starting"],
  to: "down",
  change: (control, server, now) => control.stop(server, now),
});
