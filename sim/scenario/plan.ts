import type { PlannedPool, PlannedState } from "../model/events/index.js";
import { findStore } from "../model/stores/index.js";
import type { Issue } from "./scenario.js";
import type { StoreSpec } from "./schema.js";

interface LaterChange {
  at: number;
  name: string;
  state: PlannedState;
}

/**
 * The servers as they will be over the run, worked out from the scenario's events in time order
 * before anything runs: which exist, in which state, which are being deployed. Events check
 * themselves against it (crashing a crashed server, draining the last accepting one) and update
 * it; the number of servers ever created sizes the model's arrays.
 */
export class PoolPlan implements PlannedPool {
  at = 0;
  readonly healthDelay: number;
  /** Servers ever created, in creation order. */
  readonly created: string[] = [];
  readonly #states = new Map<string, PlannedState>();
  readonly #weights = new Map<string, number>();
  readonly #later: LaterChange[] = [];
  readonly #deployedUntil = new Map<string, number>();
  readonly #issues: Issue[];
  #prefix: (string | number)[] = [];
  #defaultNames = 0;

  /** The store each strategy entry keeps its sessions in by then, and the one being dual-written behind them (`store` events change both). */
  #stores: StoreSpec[];
  #behind: StoreSpec | null = null;

  /** `stores`: the store of each strategy entry. */
  constructor(initial: readonly { name: string; weight: number }[], healthDelay: number, stores: readonly StoreSpec[], issues: Issue[]) {
    this.healthDelay = healthDelay;
    this.#stores = [...stores];
    this.#issues = issues;
    for (const s of initial) {
      this.create(s.name, s.weight);
      this.#states.set(s.name, "up");
    }
  }

  /** Moves the picture to an event's time (applying the changes due by then) and sets where its problems are reported. */
  advance(at: number, path: (string | number)[]): void {
    this.#later.sort((a, b) => a.at - b.at);
    while (this.#later.length > 0 && this.#later[0].at <= at) {
      const change = this.#later.shift() as LaterChange;
      if (this.#states.get(change.name) !== "removed") this.#states.set(change.name, change.state);
    }
    this.at = at;
    this.#prefix = path;
  }

  state(name: string): PlannedState | undefined {
    return this.#states.get(name);
  }

  set(name: string, state: PlannedState): void {
    this.#states.set(name, state);
    // A change made now overrides one an earlier event expected later (a drained server crashed first).
    for (let i = this.#later.length - 1; i >= 0; i--) if (this.#later[i].name === name) this.#later.splice(i, 1);
  }

  setLater(name: string, state: PlannedState, at: number): void {
    this.#later.push({ at, name, state });
  }

  weight(name: string): number {
    return this.#weights.get(name) ?? 1;
  }

  present(): string[] {
    return this.created.filter((n) => this.#states.get(n) !== "removed");
  }

  accepting(): string[] {
    return this.created.filter((n) => this.#states.get(n) === "up");
  }

  create(name: string, weight: number): boolean {
    if (this.#states.has(name)) return false;
    this.#states.set(name, "starting");
    this.#weights.set(name, weight);
    this.created.push(name);
    const match = /^s(\d+)$/.exec(name);
    if (match) this.#defaultNames = Math.max(this.#defaultNames, Number(match[1]));
    return true;
  }

  freeName(): string {
    while (this.#states.has(`s${this.#defaultNames + 1}`)) this.#defaultNames++;
    return `s${this.#defaultNames + 1}`;
  }

  deployedUntil(name: string): number {
    return this.#deployedUntil.get(name) ?? -Infinity;
  }

  holdForDeploy(name: string, until: number): void {
    this.#deployedUntil.set(name, until);
  }

  problem(path: (string | number)[], message: string): void {
    this.#issues.push({ path: [...this.#prefix, ...path], message });
  }

  get dualWriting(): string | null {
    return this.#behind?.kind ?? null;
  }

  /** As the run's store switch does: a store joins behind (dual write), or every entry switches to the one behind or to a new one. */
  changeStore(store: StoreSpec | string, dualWrite: boolean): void {
    if (dualWrite && typeof store !== "string") {
      this.#behind = store;
      return;
    }
    const next = typeof store === "string" ? this.#behind : store;
    if (next) this.#stores = this.#stores.map(() => next);
    this.#behind = null;
  }

  /** Whether any store sessions are written to by then can be unreachable or restart. */
  get storeCanFail(): boolean {
    return this.#fallible().length > 0;
  }

  /** The node names every such store has (none when one is not made of nodes). */
  get storeNodes(): readonly string[] {
    const nodes = this.#fallible().map((s) => findStore(s.kind)?.nodes?.(s) ?? []);
    return nodes.length === 0 ? [] : nodes[0].filter((n) => nodes.every((list) => list.includes(n)));
  }

  #fallible(): StoreSpec[] {
    return [...this.#stores, ...(this.#behind ? [this.#behind] : [])].filter((s) => findStore(s.kind)?.canFail === true);
  }

  optionProblem(key: string, message: string): void {
    // The prefix ends with the event's action key; an option sits beside it.
    this.#issues.push({ path: [...this.#prefix.slice(0, -1), key], message });
  }
}
