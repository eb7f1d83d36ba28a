import { defineEvent, expectState, serverName } from "./define.js";

export const stopEvent = defineEvent({
  action: "stop",
  summary: "A planned stop: the server refuses new connections at once, answers the requests it has accepted, then exits with its memory.",
  value: serverName("The server that stops."),
  plan: (pool, name) => {
    if (expectState(pool, name as string, [], ["up", "draining", "starting"], "stop")) pool.set(name as string, "down");
    return { servers: [name as string] };
  },
  apply: (control, event, now) => control.stop(control.server(event.servers[0]), now),
});
