import { defineEvent, expectState, serverName } from "./define.js";

export const recoverEvent = defineEvent({
  action: "recover",
  summary: "A crashed server runs again with empty memory; health checks put it back after `rise` passed checks.",
  value: serverName("The crashed server that comes back."),
  plan: (pool, name) => {
    if (expectState(pool, name as string, [], ["down"], "recover")) pool.set(name as string, "up");
    return { servers: [name as string] };
  },
  apply: (control, event, now) => control.recover(control.server(event.servers[0]), now),
});
