import type { ReconnectSpec } from "../scenario/websocket-schema.js";

/** The delays a client waits before its attempts to reconnect; `delay` returns -1 once it gives up. */
export interface ReconnectPolicy {
  /**
   * Seconds to wait before attempt `attempt` (0 for the first after the drop), from a uniform `u`
   * in [0, 1) and the delay before the previous attempt (`previous`, for decorrelated jitter).
   */
  delay(attempt: number, u: number, previous: number): number;
}

type Exponential = Exclude<ReconnectSpec, string | { delays: unknown }>;

/** The named presets as the general forms. */
const PRESETS: Record<Extract<ReconnectSpec, string>, Exclude<ReconnectSpec, string>> = {
  // socket.io-client Manager: reconnectionDelay 1000, reconnectionDelayMax 5000, randomizationFactor 0.5, attempts Infinity.
  "socket.io": { initial: 1, max: 5, factor: 2, jitter: "socket.io" },
  // @microsoft/signalr DefaultReconnectPolicy: [0, 2000, 10000, 30000] ms, then null (stop).
  signalr: { delays: [0, 2, 10, 30] },
  // phoenix.js Socket reconnectAfterMs: the list by tries, else 5000 ms.
  phoenix: { delays: [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2], then: 5 },
};

export function reconnectPolicy(spec: ReconnectSpec): ReconnectPolicy {
  const form = typeof spec === "string" ? PRESETS[spec] : spec;
  return "delays" in form ? schedule(form.delays, form.then) : exponential(form);
}

function schedule(delays: readonly number[], then: number | undefined): ReconnectPolicy {
  const after = then ?? -1;
  return { delay: (attempt) => (attempt < delays.length ? delays[attempt] : after) };
}

function exponential(spec: Exponential): ReconnectPolicy {
  const { initial, max, factor, jitter } = spec;
  const attempts = spec.attempts ?? Infinity;
  const base = (attempt: number) => Math.min(max, initial * factor ** attempt);
  const draw: Record<Exponential["jitter"], (attempt: number, u: number, previous: number) => number> = {
    none: (k) => base(k),
    full: (k, u) => u * base(k),
    equal: (k, u) => base(k) / 2 + (u * base(k)) / 2,
    // The first sleep is drawn from [base, 3 × base), as the blog's simulator starts from sleep = base.
    decorrelated: (k, u, previous) => Math.min(max, initial + u * (3 * (k === 0 ? initial : previous) - initial)),
    // backo2's duration(), in its milliseconds: one draw gives both the size and the sign of the
    // deviation, the result is capped and truncated to an int32 (so past 2^1023 it is 0).
    "socket.io": (k, u) => {
      const ms = initial * 1000 * factor ** k;
      const deviation = Math.floor(u * 0.5 * ms);
      const jittered = (Math.floor(u * 10) & 1) === 0 ? ms - deviation : ms + deviation;
      return (Math.min(jittered, max * 1000) | 0) / 1000;
    },
  };
  const pick = draw[jitter];
  return { delay: (attempt, u, previous) => (attempt >= attempts ? -1 : pick(attempt, u, previous)) };
}
