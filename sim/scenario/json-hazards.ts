import type { Node } from "jsonc-parser";
import { eachValue } from "./json-walk.js";
import { clip } from "./quote.js";

/**
 * Keys no scenario has and that name the machinery of JavaScript objects: JSON.parse makes
 * `__proto__` an own property, and the first copy made with plain assignment turns it into
 * the object's prototype. They are refused wherever they appear, and taken out of the value.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Longest number text a message quotes. */
const NUMBER_TEXT_LENGTH = 40;

/** Something written as valid JSON that no scenario value can hold. */
export interface Hazard {
  kind: "key" | "number";
  /** The object holding the key, or the number itself. */
  path: (string | number)[];
  offset: number;
  message: string;
}

/**
 * Forbidden keys and numbers too large for a double (`1e400` parses to Infinity, which would
 * then be reported as "got number Infinity", a value the user never wrote), in file order.
 */
export function findHazards(tree: Node, text: string): Hazard[] {
  const found: Hazard[] = [];
  eachValue(tree, (node, path) => {
    if (node.type === "number" && !Number.isFinite(node.value)) {
      const written = clip(text.slice(node.offset, node.offset + node.length), NUMBER_TEXT_LENGTH);
      found.push({ kind: "number", path, offset: node.offset, message: `number ${written} is too large` });
    }
    if (node.type !== "object") return;
    for (const property of node.children ?? []) {
      const key = property.children?.[0];
      if (key && FORBIDDEN_KEYS.has(String(key.value)))
        found.push({ kind: "key", path, offset: key.offset, message: `key ${JSON.stringify(key.value)} is not allowed in a scenario` });
    }
  });
  return found;
}

/** A JSON.parse reviver that drops forbidden keys, so the value handed on never has them. */
export function withoutForbiddenKeys(key: string, value: unknown): unknown {
  return FORBIDDEN_KEYS.has(key) ? undefined : value;
}
