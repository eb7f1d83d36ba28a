import { defineEvent, expectState, serverName } from "./define.js";

export const crashEvent = defineEvent({
  action: "crash",
  summary: "The server stops at once: requests in service or queued there fail and its memory is lost; health checks notice after `fall` failed checks.",
  value: serverName("The server that crashes."),
  plan: (pool, name) => {
    if (expectState(pool, name as string, [], ["up", "draining", "starting"], "crash")) pool.set(name as string, "down");
    return { servers: [name as string] };
  },
  apply: (control, event, now) => control.crash(control.server(event.servers[0]), now),
});
