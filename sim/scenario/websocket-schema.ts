import { z } from "zod";
import { count, duration, fraction, positiveDuration, timeDistribution } from "./fields.js";
import { LIMITS } from "./limits.js";

/**
 * How a client waits before each attempt to reconnect a dropped WebSocket: a library's defaults
 * by name, an exponential backoff with a jitter, or a fixed list of delays.
 *
 * - `"socket.io"`: socket.io-client 4's Manager with backo2 (lib/contrib/backo2.ts): 1 s doubling
 *   to a 5 s cap, ±50% from one draw that also picks the sign; attempts never stop.
 * - `"signalr"`: @microsoft/signalr's DefaultReconnectPolicy (DefaultReconnectPolicy.ts):
 *   0, 2, 10 and 30 s, then it gives up.
 * - `"phoenix"`: phoenix.js Socket's `reconnectAfterMs` (assets/js/phoenix/socket.js): 10, 50,
 *   100, 150, 200, 250, 500, 1000, 2000 ms, then every 5 s, without jitter.
 */
export const RECONNECT_PRESETS = ["socket.io", "signalr", "phoenix"] as const;

const exponential = z
  .strictObject({
    initial: duration.describe("The first delay (before any jitter)."),
    max: positiveDuration.describe("The cap on any delay."),
    factor: z.number().min(1).max(100).default(2).describe("Each delay is the previous one times this, up to `max`."),
    jitter: z
      .enum(["none", "full", "equal", "decorrelated", "socket.io"])
      .default("full")
      .describe(
        'How the delay d is randomised (AWS Architecture Blog, "Exponential Backoff And Jitter"): "none" d; "full" uniform on [0, d); "equal" d/2 plus uniform on [0, d/2); "decorrelated" uniform on [initial, 3 × the previous delay), capped; "socket.io" backo2\'s d ± 50% from one draw.',
      ),
    attempts: count(LIMITS.countValue).optional().describe("Attempts after which the client gives up (default: never)."),
  })
  .superRefine((r, ctx) => {
    if (r.max < r.initial) ctx.addIssue({ code: "custom", path: ["max"], message: `max (${r.max} s) must not be below initial (${r.initial} s)` });
  });

const schedule = z.strictObject({
  delays: z.array(duration).min(1).max(1000).describe("The delay before each attempt, in order."),
  then: duration.optional().describe("The delay before every later attempt; without it the client gives up after the list."),
});

export const reconnect = z
  .union([z.enum(RECONNECT_PRESETS), exponential, schedule])
  .default("socket.io")
  .describe('Reconnect delays: "socket.io" (the default), "signalr" or "phoenix" for those libraries\' defaults; { initial, max, factor, jitter, attempts } for an exponential backoff; or { delays, then } for a fixed list.');

export type ReconnectSpec = z.output<typeof reconnect>;

export const websocket = z
  .strictObject({
    fraction: fraction.default(0).describe("Share of users who hold a WebSocket connection for each visit, opened after the visit's first response."),
    messagesPerSecond: z
      .number()
      .nonnegative()
      .max(LIMITS.visitsPerSecond)
      .default(0)
      .describe("Messages each open connection carries per second (a Poisson process); never routed. Counted, unless `messageService` has them simulated."),
    messageService: timeDistribution
      .optional()
      .describe(
        "The server's work per message. Given, every message is simulated: it reaches its connection's server and waits with the requests in the same FIFO queue for the same workers, so the metrics give each message's latency (wait plus work); a full queue drops it. Absent (default), messages are counted, at no cost per message.",
      ),
    reconnect,
  })
  .prefault({});

export type WebsocketSpec = z.output<typeof websocket>;
