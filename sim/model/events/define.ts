import { z } from "zod";

/** What a topology event may do to the running model; the simulation provides it. */
export interface TopologyControl {
  /** The server stops at once: requests in service or queued there fail, its memory is gone. */
  crash(server: number, now: number): void;
  /** A crashed server runs again, empty; health checks put it back. */
  recover(server: number, now: number): void;
  /** A planned stop: new connections refused, accepted requests answered, then the memory is gone. */
  stop(server: number, now: number): void;
  /** A stopped (or crashed) server starts, empty. */
  start(server: number, now: number): void;
  /** The server's weight changes; the strategy rebuilds what depends on weights. */
  setWeight(server: number, weight: number, now: number): void;
}

/** A server an event names: its name, and where in the event's value it is written. */
export interface EventTarget {
  name: string;
  /** Path below the action key (empty when the value is the name itself). */
  path: (string | number)[];
}

/** An event as the model applies it: the servers it names (indices, in `targets` order) and its value. */
export interface CompiledEvent {
  servers: number[];
  value: unknown;
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
  readonly value: z.ZodType;
  /** The servers the (validated) value names. */
  targets(value: unknown): EventTarget[];
  /** For events that change a server's state: the state each target needs at the event's time, and the state it leaves. */
  readonly needs?: "up" | "down";
  readonly leaves?: "up" | "down";
  /** True when the event takes its servers away, so every session on them must move. */
  readonly takesAway: boolean;
  apply(control: TopologyControl, event: CompiledEvent, now: number): void;
}

/** The value and targets of an event that names one server: `{ "at": ..., "<action>": "s2" }`. */
export function oneServer(description: string): Pick<EventDef, "value" | "targets"> {
  return { value: z.string().describe(description), targets: (name) => [{ name: name as string, path: [] }] };
}

/** Identity helper, for symmetry with defineStrategy and defineStore. */
export function defineEvent(def: EventDef): EventDef {
  return def;
}
