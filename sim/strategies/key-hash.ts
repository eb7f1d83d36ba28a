import { z } from "zod";
import type { RoutingView } from "./define.js";
import { HASH_KEYS, type HashKey, KeyBytes } from "./hash-key.js";
import type { Wide } from "./u64.js";
import { xxh64 } from "./xxhash64.js";

/**
 * The `key` option of the consistent-hashing strategies (ring hash, Maglev, jump, rendezvous,
 * bounded load): the values of `hashKeyOption`, defaulting to the session id, as an Envoy hash
 * policy on the session cookie would.
 */
export const sessionKeyOption = z
  .enum(HASH_KEYS)
  .default("session")
  .describe(
    'What to hash: "session" (the application session id, like an Envoy cookie hash policy; a request with no session yet hashes its client address instead, so first requests still spread), "address" (the client IPv4 address as text, like Envoy\'s source_ip policy) or "forwarded-for" (the X-Forwarded-For header, like an Envoy header hash policy; a request without one hashes its client address instead).',
  );

/**
 * Hashes a request's key to 64 bits without allocating: xxHash64 (seed 0) of the key's ASCII
 * bytes from `writeKey`, as Envoy hashes a header, cookie or source-IP string
 * (source/common/http/hash_policy.cc).
 * With `key: "session"` and no session id yet, or `key: "forwarded-for"` and no such header, the
 * address is hashed instead (Envoy's hash policy gives no hash then and it picks at random; hashing
 * the address keeps a run reproducible and a client's requests together).
 */
export class KeyHasher {
  readonly #bytes = new KeyBytes();
  readonly #key: HashKey;

  constructor(key: HashKey) {
    this.#key = key;
  }

  /** Writes the request key's 64-bit hash into `out`. */
  hash(request: RoutingView, out: Wide): void {
    let length = this.#bytes.write(request, this.#key);
    if (length === 0 && this.#key !== "address") length = this.#bytes.write(request, "address");
    xxh64(this.#bytes.bytes, 0, length, 0, out);
  }
}
