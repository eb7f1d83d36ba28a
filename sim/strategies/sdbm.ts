/**
 * HAProxy's default string hash, `hash_sdbm` (src/hash.c; the function `hash-type` uses unless
 * another is named, configuration.txt `hash-type`): h = c + (h << 6) + (h << 16) − h over the key's
 * bytes, unsigned 32-bit. `balance url_param`, `uri` and `hdr()` hash their text with it.
 */
export function sdbm(bytes: Uint8Array, length: number): number {
  let h = 0;
  for (let i = 0; i < length; i++) h = (bytes[i] + (h << 6) + (h << 16) - h) >>> 0;
  return h;
}
