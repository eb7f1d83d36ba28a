import type { z } from "zod";

/** What a topology event may do to the running model; the simulation provides it. */
export interface TopologyControl {
  /** The server stops at once: requests in service or queued there fail, its memory is gone. */
  crash(server: number, now: number): void;
  /** A crashed server runs again, empty; health checks put it back. */
  recover(server: number, now: number): void;
}

/**
 * A kind of scenario event, written `{ "at": ..., "<action>": <value> }`. The scenario schema,
 * the editor JSON Schema, `validate` and `lbsim list` are built from these definitions; adding a
 * kind is a file in this folder and a line in index.ts.
 */
export interface EventDef {
  /** The key that names the event in the scenario, e.g. "crash". */
  readonly action: string;
  /** One line for `lbsim list` and the editor schema. */
  readonly summary: string;
  /** The value the action key takes. */
  readonly value: z.ZodType<string>;
  /** The server state the event needs at its time, and the state it leaves the server in. */
  readonly needs: "up" | "down";
  readonly leaves: "up" | "down";
  /** True when the event takes its server away, so every session on it must move. */
  readonly takesAway: boolean;
  apply(control: TopologyControl, server: number, now: number): void;
}

/** Identity helper, for symmetry with defineStrategy and defineStore. */
export function defineEvent(def: EventDef): EventDef {
  return def;
}
