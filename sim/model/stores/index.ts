import { databaseStore } from "./database.js";
import type { StoreDef } from "./define.js";
import { localStore } from "./local.js";
import { sharedStore } from "./shared.js";
import { tokenStore } from "./token.js";

/** Every session store kind lbsim knows. Adding one is a file in this folder plus a line here. */
export const storeKinds: readonly StoreDef<any>[] = [localStore, sharedStore, databaseStore, tokenStore];

export function findStore(kind: string): StoreDef<any> | undefined {
  return storeKinds.find((s) => s.kind === kind);
}

export type { SessionStore } from "./session-store.js";
export type { StoreContext, StoreDef } from "./define.js";
