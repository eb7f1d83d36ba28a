import { z } from "zod";

/** Options shared by HAProxy's consistent-hash strategies (configuration.txt `hash-type`). */

/** `hash-type consistent` with no function means sdbm plus the avalanche modifier (configuration.txt). */
export const haproxyAvalancheOption = z
  .boolean()
  .default(true)
  .describe("Mix the address with full_hash before the ring lookup (HAProxy's default for hash-type consistent); false models `hash-type consistent sdbm`, where raw addresses cluster on the ring.");

/** HAProxy `option redispatch`: the last retry passes the refusing server as the one to avoid. */
export const haproxyRedispatchOption = z
  .boolean()
  .default(false)
  .describe("HAProxy `option redispatch`: the last connection retry to a server that refuses walks the ring clockwise to the next other server.");
