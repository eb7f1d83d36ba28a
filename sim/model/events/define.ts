import { z } from "zod";
import type { StoreSpec } from "../../scenario/store-schema.js";

/** How a rolling deploy proceeds (Kubernetes Deployment `RollingUpdate` semantics). */
export interface DeployPlan {
  /** Old server names in the order they are replaced, and the name of each one's replacement (the same name when in place). */
  old: string[];
  replacement: string[];
  /** Servers that may be unavailable (maxUnavailable) and extra servers that may run (maxSurge), already rounded. */
  maxUnavailable: number;
  maxSurge: number;
  /** Seconds a replaced server drains before it stops, and a new one takes to start. */
  drain: number;
  restart: number;
  inPlace: boolean;
}

/** A change of the rate at which new users arrive. */
export interface TrafficChange {
  /** The new rate: the scenario's `visitsPerSecond` times `multiply`, or `visitsPerSecond` itself. */
  multiply?: number;
  visitsPerSecond?: number;
  /** Seconds over which the rate moves linearly to the new value (0: at once). */
  over: number;
}

/** What a topology event may do to the running model; the simulation provides it. */
export interface TopologyControl {
  /** The index of the server with this name, -1 when it does not exist (yet). */
  server(name: string): number;
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
  /** The balancer stops giving the server new sessions; at `deadline` seconds from now it stops (and is removed, with `remove`). */
  drain(server: number, deadline: number, remove: boolean, now: number): void;
  /** The server is taken out of the pool: it answers what it has accepted, then stops for good. */
  remove(server: number, now: number): void;
  /** A new server joins, starting: it accepts connections after `startup` seconds and takes traffic once health checks pass. */
  add(name: string, weight: number, startup: number, now: number): number;
  /** The arrival rate of new users changes. */
  traffic(change: TrafficChange, now: number): void;
  /** A rolling deploy starts. */
  deploy(plan: DeployPlan, now: number): void;
  /** The session store (only its node `node`, when given) is unreachable for `seconds`. */
  storeOutage(seconds: number, now: number, node?: string): void;
  /** The session store (only its node `node`, when given) restarts, unreachable for `seconds`, with what its persistence kept. */
  storeRestart(seconds: number, now: number, node?: string, host?: boolean): void;
  /**
   * The application changes where sessions live: with `dualWrite`, `store` joins behind the
   * current store (written on every request, read where the current one cannot); otherwise it
   * becomes the only store (a kind names the one being dual-written).
   */
  changeStore(store: StoreSpec | string, dualWrite: boolean, now: number): void;
  /** The balancer's routing changes to another strategy. */
  changeStrategy(id: string, options: unknown, now: number): void;
  /** The balancer reloads: its strategies start afresh; the connections opened before are cut `hardStopAfter` seconds later (Infinity: never). */
  reload(now: number, hardStopAfter: number): void;
}

/** The servers as they will be at an event's time, worked out from the scenario before it runs, for checking events. */
export interface PlannedPool {
  /** The event's time, seconds. */
  readonly at: number;
  /** Seconds from a server's start until the balancer's health checks have passed it. */
  readonly healthDelay: number;
  /** A server's state then: undefined when no server has that name. */
  state(name: string): PlannedState | undefined;
  set(name: string, state: PlannedState): void;
  /** The server will be in `state` from time `at` on (a drain's deadline, the end of a deploy). */
  setLater(name: string, state: PlannedState, at: number): void;
  weight(name: string): number;
  /** Servers that exist then and are not removed, in creation order. */
  present(): string[];
  /** Servers that take new sessions then (up, not draining). */
  accepting(): string[];
  /** Adds a server (starting); false when the name is taken. */
  create(name: string, weight: number): boolean;
  /** The next free default name (`s5` after s1..s4). */
  freeName(): string;
  /** When a deploy started earlier still holds a server (an estimate), or -Infinity. */
  deployedUntil(name: string): number;
  holdForDeploy(name: string, until: number): void;
  /** Records a problem at a path below the event's action key. */
  problem(path: (string | number)[], message: string): void;
  /** Records a problem at one of the event's options (`events[3].node`). */
  optionProblem(key: string, message: string): void;
  /** Whether any store sessions are written to by then (every strategy entry's, and one being dual-written) can be unreachable or restart. */
  readonly storeCanFail: boolean;
  /** The node names every such store has (a store that is not made of nodes has none). */
  readonly storeNodes: readonly string[];
  /** The store kind being dual-written behind the current ones by then, null for none. */
  readonly dualWriting: string | null;
  /** The stores change from then on, as `TopologyControl.changeStore` changes them in the run. */
  changeStore(store: StoreSpec | string, dualWrite: boolean): void;
}

export type PlannedState = "starting" | "up" | "draining" | "down" | "removed";

/** An event as the model applies it: its value and options as validated, what the plan worked out, the servers it names. */
export interface CompiledEvent {
  value: unknown;
  options: Record<string, unknown>;
  /** Whatever `plan` returned as `data` (a deploy's order, an addition's names). */
  data: unknown;
  /** Names of the servers it concerns, for reports. */
  servers: string[];
}

/**
 * A kind of scenario event, written `{ "at": ..., "<action>": <value>, ...options }`. The
 * scenario schema, the editor JSON Schema, `validate` and `lbsim list` are built from these
 * definitions; adding a kind is a file in this folder and a line in index.ts.
 */
export interface EventDef {
  /** The key that names the event in the scenario, e.g. "crash". */
  readonly action: string;
  /** One line for `lbsim list` and the editor schema. */
  readonly summary: string;
  /** The value the action key takes. */
  readonly value: z.ZodType;
  /** Keys the event may have beside `at` and its action (e.g. a drain's `deadline`), with their defaults. */
  readonly options?: z.ZodRawShape;
  /**
   * Checks the event against the servers as they will be at its time, reporting problems through
   * `pool`, and updates that picture. Returns the servers it concerns and anything `apply` needs.
   */
  plan(pool: PlannedPool, value: unknown, options: Record<string, unknown>): { servers: string[]; data?: unknown };
  /** A few words naming the event in reports when it names no server ("store shared (dual write)"); default: its action. */
  label?(value: unknown, options: Record<string, unknown>): string;
  /** True for events that change where sessions live: runs of a scenario with one keep their store behind a switch. */
  readonly changesStore?: boolean;
  apply(control: TopologyControl, event: CompiledEvent, now: number): void;
}

/** A server name as an event's value. */
export const serverName = (description: string) => z.string().describe(description);

/** Reports a problem unless the named server is in one of `states`; returns whether it is. */
export function expectState(pool: PlannedPool, name: string, path: (string | number)[], states: readonly PlannedState[], action: string): boolean {
  const state = pool.state(name);
  if (state !== undefined && states.includes(state)) return true;
  pool.problem(path, wrongState(pool, name, state, states, action));
  return false;
}

function wrongState(pool: PlannedPool, name: string, state: PlannedState | undefined, wanted: readonly PlannedState[], action: string): string {
  const at = pool.at;
  if (state === undefined) return `unknown server ${clip(name)}; servers are ${listNames(pool.present())}`;
  if (state === "removed") return `server ${name} was removed before ${at} s`;
  if (state === "down" && wanted.includes("up")) return `server ${name} is already down at ${at} s (crashed or stopped earlier, and not started again)`;
  if (wanted.includes("down") && (state === "up" || state === "draining")) return `server ${name} is running at ${at} s; "${action}" needs a server that is down`;
  return `server ${name} is ${state} at ${at} s; "${action}" needs a server that is ${orList(wanted)}`;
}

/** Reports a problem when no strategy's store can fail (an outage of a store nobody uses means a mistake). */
export function needsFallibleStore(pool: PlannedPool, action: string): void {
  if (!pool.storeCanFail) pool.problem([], `"${action}" needs a strategy whose sessions live in a store that can fail ("store": { "kind": "shared" }); no strategy here uses one`);
}

/** The `node` option of the store events. */
export const storeNodeOption = {
  node: z.string().optional().describe('Only this node of a store made of nodes (a memcached node, "m2"); default: the whole store.'),
};

/** Reports a problem unless `node` is absent or a node of every store that can fail. */
export function expectStoreNode(pool: PlannedPool, node: string | undefined): void {
  // Without a store that can fail, needsFallibleStore has said so already.
  if (node === undefined || !pool.storeCanFail) return;
  const nodes = pool.storeNodes;
  if (nodes.length === 0)
    pool.optionProblem("node", `"node" needs every strategy whose store can fail to keep its sessions in a store made of nodes ("store": { "kind": "memcached" })`);
  else if (!nodes.includes(node)) pool.optionProblem("node", `unknown store node ${clip(node)}; nodes are ${nodes.join(", ")}`);
}

/** Reports a problem when taking `names` out of service would leave no server taking new sessions. */
export function keepOneAccepting(pool: PlannedPool, names: readonly string[], path: (string | number)[], action: string): boolean {
  const left = pool.accepting().filter((n) => !names.includes(n));
  if (left.length > 0) return true;
  pool.problem(path, `"${action}" would leave no server taking new sessions at ${pool.at} s; add a server first (an "add" event) or use "disaster" for a total outage`);
  return false;
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** A user's string in a message: quoted, and cut short so one mistake cannot flood the terminal. */
export function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Server names for a message, the first few of a long list. */
export function listNames(names: readonly string[]): string {
  if (names.length === 0) return "none";
  return names.length <= 10 ? names.join(", ") : `${names.slice(0, 10).join(", ")}, ... (${names.length} servers)`;
}

/**
 * An event that moves one named server from one of the states `from` to the state `to`
 * (`{ "at": ..., "crash": "s2" }`), through one lifecycle operation.
 */
export function serverStateEvent(def: {
  action: string;
  summary: string;
  describe: string;
  from: readonly PlannedState[];
  to: PlannedState;
  change: (control: TopologyControl, server: number, now: number) => void;
}): EventDef {
  return {
    action: def.action,
    summary: def.summary,
    value: serverName(def.describe),
    plan: (pool, value) => {
      const name = value as string;
      if (expectState(pool, name, [], def.from, def.action)) pool.set(name, def.to);
      return { servers: [name] };
    },
    apply: (control, event, now) => def.change(control, control.server(event.servers[0]), now),
  };
}

/** Identity helper, for symmetry with defineStrategy and defineStore. */
export function defineEvent(def: EventDef): EventDef {
  return def;
}
