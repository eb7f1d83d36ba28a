import { addEvent } from "./add.js";
import { crashEvent } from "./crash.js";
import type { EventDef } from "./define.js";
import { disasterEvent } from "./disaster.js";
import { drainEvent } from "./drain.js";
import { recoverEvent } from "./recover.js";
import { reloadEvent } from "./reload.js";
import { removeEvent } from "./remove.js";
import { rollingDeployEvent } from "./rolling-deploy.js";
import { startEvent } from "./start.js";
import { stopEvent } from "./stop.js";
import { storeOutageEvent } from "./store-outage.js";
import { storeRestartEvent } from "./store-restart.js";
import { storeEvent } from "./store.js";
import { strategyEvent } from "./strategy.js";
import { trafficEvent } from "./traffic.js";
import { weightEvent } from "./weight.js";

/** Every scenario event kind lbsim knows. Adding one is a file in this folder plus a line here. */
export const eventKinds: readonly EventDef[] = [
  crashEvent,
  recoverEvent,
  stopEvent,
  startEvent,
  weightEvent,
  drainEvent,
  addEvent,
  removeEvent,
  rollingDeployEvent,
  disasterEvent,
  trafficEvent,
  storeOutageEvent,
  storeRestartEvent,
  storeEvent,
  strategyEvent,
  reloadEvent,
];

export function findEvent(action: string): EventDef | undefined {
  return eventKinds.find((e) => e.action === action);
}

export type { CompiledEvent, DeployPlan, EventDef, PlannedPool, PlannedState, TopologyControl, TrafficChange } from "./define.js";
