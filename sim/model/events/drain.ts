import { positiveDuration } from "../../scenario/fields.js";
import { defineEvent, expectState, keepOneAccepting, serverName } from "./define.js";

/**
 * `{ "at": "10m", "drain": "s3", "deadline": "5m" }`. The default deadline is AWS's default
 * deregistration delay (ALB `deregistration_delay.timeout_seconds`, Classic ELB connection
 * draining: 300 s).
 */
export const drainEvent = defineEvent({
  action: "drain",
  summary:
    "The balancer gives the server no new sessions; bound clients keep reaching it where the product does so (HAProxy, nginx sticky) and leave at once where it does not (ALB, kube-proxy, address hashing). At the deadline it stops, and sessions still on it are lost.",
  value: serverName("The server to drain."),
  options: { deadline: positiveDuration.default(300).describe("Seconds until the draining server stops (default 300 s, AWS's deregistration delay).") },
  plan: (pool, name, options) => {
    const server = name as string;
    if (expectState(pool, server, [], ["up"], "drain") && keepOneAccepting(pool, [server], [], "drain")) {
      pool.set(server, "draining");
      pool.setLater(server, "down", pool.at + (options.deadline as number));
    }
    return { servers: [server] };
  },
  apply: (control, event, now) => control.drain(control.server(event.servers[0]), event.options.deadline as number, false, now),
});
