import type { StoreSpec } from "../scenario/schema.js";
import { LocalStore } from "./local-store.js";
import type { ServerPool } from "./servers.js";
import type { SessionStore } from "./session-store.js";
import { SharedStore } from "./shared-store.js";
import { TokenStore } from "./token-store.js";

/** The session store a strategy entry runs with. */
export function createStore(spec: StoreSpec, servers: ServerPool): SessionStore {
  switch (spec.kind) {
    case "local":
      return new LocalStore(servers);
    case "shared":
      return new SharedStore(spec.latency);
    case "token":
      return new TokenStore(spec.sessionBytes, spec.maxBytes);
  }
}
