import type { z } from "zod";
import type { LostCause } from "../../metrics/causes.js";
import type { SessionStore } from "./session-store.js";

/** What a store may read of the model: how often each server's memory was lost (state stamped with an older count is gone) and why it last was. */
export interface StoreContext {
  readonly epoch: Int32Array;
  readonly memoryLostBy: readonly LostCause[];
  /** The scenario event that last lost each server's memory, -1 for none (a random failure). */
  readonly memoryLostByEvent: Int32Array;
  /** Servers the run can have, the store's idle timeout, and how often the application cleans up expired sessions (Infinity: never). */
  readonly capacity: number;
  readonly idleTimeout: number;
  readonly cleanupEvery: number;
  /** The servers that exist (`size`) and which of them run: the members a replicating store can copy to. */
  readonly members: { readonly size: number; readonly running: Uint8Array; readonly runningCount: number };
  /** When measurement starts (the end of the warmup) and ends: figures a store reports count only between. */
  readonly measureFrom: number;
  readonly measureUntil: number;
  /** The run's seed and stream names, for the store's own keyed draws. */
  readonly seed: number;
  purpose(name: string): string;
}

/**
 * A kind of session store, as a scenario's `store` names it. The scenario schema, the editor
 * JSON Schema, `lbsim list` and `validate` are built from these definitions; adding a kind is a
 * file in this folder and a line in index.ts.
 */
export interface StoreDef<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** The value of `store.kind`. */
  readonly kind: string;
  /** Where sessions live, in a few words for `validate` ("local memory"). */
  readonly title: string;
  /** One line for `lbsim list` and the editor schema. */
  readonly summary: string;
  /** True for kinds that can be unreachable or restart (`storeOutage` and `storeRestart` events need one). */
  readonly canFail?: boolean;
  /** Keys of `store` besides `kind` and `idleTimeout`, with their defaults. */
  readonly options: Shape;
  /** Checks across options that no one option's schema can make (memcached: fewer replicas than nodes), reported like any other problem. */
  readonly refine?: (options: z.output<z.ZodObject<Shape>>, ctx: z.core.$RefinementCtx) => void;
  /** For a store made of nodes: their names, as the `node` option of the store events names one (memcached: m1..mN). */
  nodes?(options: z.output<z.ZodObject<Shape>>): readonly string[];
  create(options: z.output<z.ZodObject<Shape>>, context: StoreContext): SessionStore;
}

/** Identity helper that lets TypeScript infer a store's option type from its shape. */
export function defineStore<Shape extends z.ZodRawShape>(def: StoreDef<Shape>): StoreDef<Shape> {
  return def;
}
