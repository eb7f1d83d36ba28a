import type { Kind } from "../engine/engine.js";
import { KeyedRandom } from "../engine/random.js";
import { compileDistribution, type Distribution } from "./distributions.js";
import type { ServerLifecycle } from "./lifecycle.js";
import { ServerState } from "./servers.js";
import type { World } from "./world.js";

/**
 * Random server failures (`servers.failures`): each server runs for a time drawn from the MTBF
 * distribution after every start, crashes, and is repaired (recovers, empty) after a time drawn
 * from the MTTR distribution. Draws are keyed by the server's name and its failure count, so
 * every strategy faces the same failures at the same times.
 */
export class Failures {
  readonly #world: World;
  readonly #control: ServerLifecycle;
  readonly #mtbf: Distribution | null;
  readonly #mttr: Distribution | null;
  readonly #draw: KeyedRandom;
  /** Per server: failures so far, a generation that makes stale failures and repairs harmless, and whether it is down because of a failure. */
  readonly #count: Int32Array;
  readonly #gen: Uint8Array;
  readonly #failed: Uint8Array;
  readonly #FAIL: Kind;
  readonly #REPAIR: Kind;

  constructor(world: World, control: ServerLifecycle) {
    this.#world = world;
    this.#control = control;
    const spec = world.scenario.servers.failures;
    this.#mtbf = spec ? compileDistribution(spec.mtbf) : null;
    this.#mttr = spec ? compileDistribution(spec.mttr) : null;
    this.#draw = new KeyedRandom(world.seed, world.purpose("failures"));
    const capacity = world.servers.capacity;
    this.#count = new Int32Array(capacity);
    this.#gen = new Uint8Array(capacity);
    this.#failed = new Uint8Array(capacity);
    this.#FAIL = world.engine.on(this.#fail);
    this.#REPAIR = world.engine.on(this.#repair);
  }

  /** The server (re)started: its next failure is drawn. */
  started(server: number, now: number): void {
    if (!this.#mtbf) return;
    this.#failed[server] = 0;
    const after = this.#mtbf.quantile(this.#draw.at(nameKey(this.#world.servers.specs[server].name), 2 * this.#count[server]));
    this.#world.engine.at(now + after, this.#FAIL, server * 256 + ++this.#gen[server]);
  }

  readonly #fail = (subject: number, now: number): void => {
    const server = subject >>> 8, servers = this.#world.servers;
    if ((subject & 255) !== this.#gen[server] || !servers.isServing(server)) return;
    const draining = servers.state[server] === ServerState.Draining;
    const outer = this.#control.event;
    this.#control.event = -1;
    this.#control.crash(server, now);
    // A draining server was on its way out: nobody repairs it, and its drain ends here (a repair
    // would have put it back in service, and a drain meant to remove it would never have).
    if (draining) this.#control.drainCutShort(server, now);
    this.#control.event = outer;
    this.#failed[server] = 1;
    const failure = this.#count[server]++;
    if (draining) return;
    const repair = (this.#mttr as Distribution).quantile(this.#draw.at(nameKey(servers.specs[server].name), 2 * failure + 1));
    this.#world.engine.at(now + repair, this.#REPAIR, server * 256 + this.#gen[server]);
  };

  readonly #repair = (subject: number, now: number): void => {
    const server = subject >>> 8;
    if ((subject & 255) !== this.#gen[server] || !this.#failed[server] || this.#world.servers.state[server] !== ServerState.Down) return;
    this.#control.recover(server, now);
  };
}

/** A server name as a 32-bit draw key (FNV-1a). */
function nameKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
