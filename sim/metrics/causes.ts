/** Why a live session could not be read by the server that got its request. */
export type LostCause = "serverCrash" | "remapped" | "addressChanged" | "cookieCleared" | "tokenTooLarge" | "serverStopped" | "drainDeadline" | "storeOutage" | "storeDataLoss" | "tokenExpired" | "evicted" | "storeFull" | "storeTtl" | "storeSwitched";

/** The causes a topology event can be to blame for: its servers' memory, or the moves it made. */
export type TopologyCause = "remapped" | "serverCrash" | "serverStopped" | "drainDeadline" | "storeOutage" | "storeDataLoss" | "storeSwitched";
export const topologyCauses: readonly TopologyCause[] = ["remapped", "serverCrash", "serverStopped", "drainDeadline", "storeOutage", "storeDataLoss", "storeSwitched"];

export function isTopologyCause(cause: LostCause): cause is TopologyCause {
  return (topologyCauses as readonly string[]).includes(cause);
}

export interface CauseInfo {
  readonly title: string;
  readonly description: string;
}

export const causeInfo = {
  serverCrash: {
    title: "Server crash",
    description: "The server holding the session in memory crashed (or restarted) and the state went with it.",
  },
  remapped: {
    title: "Remapped",
    description: "The balancer sent the session's request to a server other than the one holding its state.",
  },
  addressChanged: {
    title: "Address changed",
    description: "The client's address changed (mobile network, NAT pool) and address hashing chose another server.",
  },
  cookieCleared: {
    title: "Cookie cleared",
    description: "The user cleared cookies, so the session id was gone and the application had to start over.",
  },
  tokenTooLarge: {
    title: "Token too large",
    description: "The client-side session token was larger than the client can carry, so it never came back.",
  },
  serverStopped: {
    title: "Server stopped",
    description: "The server holding the session in memory was stopped on purpose (a planned stop, a restart); it finished its requests, but its memory went with it.",
  },
  storeTtl: {
    title: "Store TTL",
    description: "The session's key in the shared store expired at its fixed TTL while the user was still using it.",
  },
  evicted: {
    title: "Evicted",
    description: "The shared store reached its memory limit and evicted the session, the least recently used (allkeys-lru, volatile-lru).",
  },
  storeFull: {
    title: "Store full",
    description: "The shared store was at its memory limit with noeviction, so it refused to write the new session.",
  },
  tokenExpired: {
    title: "Token expired",
    description: "The client-side session token had passed its lifetime (JWT exp), so the user had to sign in again.",
  },
  storeOutage: {
    title: "Store outage",
    description: "The shared store could not be reached, so the application started a new session (or one it created then could not be saved).",
  },
  storeDataLoss: {
    title: "Store data loss",
    description: "The shared store restarted and its persistence had not kept the session (written after the last snapshot, or the last second of the append-only file).",
  },
  drainDeadline: {
    title: "Drain deadline",
    description: "The server holding the session was draining and reached its deadline while the session was still in use, so it stopped with the session in memory.",
  },
  storeSwitched: {
    title: "Store switched",
    description: "The application switched session stores and the new one never had the session (it was not written there during a dual write).",
  },
} as const satisfies Record<LostCause, CauseInfo>;

export const lostCauses = Object.keys(causeInfo) as LostCause[];
