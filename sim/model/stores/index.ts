import { databaseStore } from "./database.js";
import type { StoreDef } from "./define.js";
import { hybridStore } from "./hybrid.js";
import { localStore } from "./local.js";
import { memcachedStore } from "./memcached.js";
import { replicatedStore } from "./replicated.js";
import { sharedStore } from "./shared.js";
import { tokenStore } from "./token.js";

/** Every session store kind lbsim knows. Adding one is a file in this folder plus a line here. */
export const storeKinds: readonly StoreDef<any>[] = [localStore, replicatedStore, sharedStore, hybridStore, databaseStore, memcachedStore, tokenStore];

export function findStore(kind: string): StoreDef<any> | undefined {
  return storeKinds.find((s) => s.kind === kind);
}

export type { SessionStore } from "./session-store.js";
export type { StoreContext, StoreDef } from "./define.js";
