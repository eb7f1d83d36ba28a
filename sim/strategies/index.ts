import type { StrategyDef } from "./define.js";
import { cookieInsert } from "./cookie-insert.js";
import { nginxIpHash } from "./nginx-ip-hash.js";
import { roundRobin } from "./round-robin.js";
import { sharedStore } from "./shared-store.js";
import { clientToken } from "./client-token.js";

/** Every strategy lbsim knows. Adding one is a file in this folder plus a line here. */
export const strategies: readonly StrategyDef<any>[] = [roundRobin, nginxIpHash, cookieInsert, sharedStore, clientToken];

export function findStrategy(id: string): StrategyDef<any> | undefined {
  return strategies.find((s) => s.id === id);
}

export type { PoolView, RoutingView, Strategy, StrategyDef } from "./define.js";
