import { defineEvent, expectState, serverName } from "./define.js";

export const startEvent = defineEvent({
  action: "start",
  summary: "A stopped (or crashed) server starts with empty memory; health checks put it back after `rise` passed checks.",
  value: serverName("The server that starts."),
  plan: (pool, name) => {
    if (expectState(pool, name as string, [], ["down"], "start")) pool.set(name as string, "up");
    return { servers: [name as string] };
  },
  apply: (control, event, now) => control.start(control.server(event.servers[0]), now),
});
