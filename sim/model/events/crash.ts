import { serverStateEvent } from "./define.js";

export const crashEvent = serverStateEvent({
  action: "crash",
  summary: "The server stops at once: requests in service or queued there fail and its memory is lost; health checks notice after `fall` failed checks.",
  describe: "The server that crashes.",
  from: ["up", "draining", "starting"],
  to: "down",
  change: (control, server, now) => control.crash(server, now),
});
