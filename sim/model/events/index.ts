import { crashEvent } from "./crash.js";
import type { EventDef } from "./define.js";
import { recoverEvent } from "./recover.js";
import { startEvent } from "./start.js";
import { stopEvent } from "./stop.js";
import { weightEvent } from "./weight.js";

/** Every scenario event kind lbsim knows. Adding one is a file in this folder plus a line here. */
export const eventKinds: readonly EventDef[] = [crashEvent, recoverEvent, stopEvent, startEvent, weightEvent];

export function findEvent(action: string): EventDef | undefined {
  return eventKinds.find((e) => e.action === action);
}

export type { CompiledEvent, EventDef, EventTarget, TopologyControl } from "./define.js";
