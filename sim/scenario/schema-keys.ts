/** A JSON Schema node, as `editorJsonSchema()` produces it. */
type SchemaNode = { [keyword: string]: any };
export type JsonPath = readonly (string | number)[];

/**
 * The property names a JSON Schema allows for the object at `path` of `document`. Where the
 * schema branches (anyOf / oneOf), the document's own values pick the branch: an object
 * `{ "kind": "local" }` only sees the branch whose `kind` is the constant "local". With no
 * matching constant, the keys of every object branch are allowed.
 */
export function allowedKeys(schema: SchemaNode, document: unknown, path: JsonPath): string[] {
  let value = document;
  let candidates = expand(schema, value, schema);
  for (const segment of path) {
    value = (isRecord(value) || Array.isArray(value)) && Object.hasOwn(value, segment) ? (value as any)[segment] : undefined;
    const children = candidates.flatMap((node) => child(node, segment));
    candidates = children.flatMap((node) => expand(node, value, schema));
  }
  const keys = new Set<string>();
  for (const node of candidates) for (const key of Object.keys(node.properties ?? {})) keys.add(key);
  return [...keys];
}

function child(node: SchemaNode, segment: string | number): SchemaNode[] {
  if (typeof segment === "number") {
    const item = node.prefixItems?.[segment] ?? node.items;
    return isRecord(item) ? [item] : [];
  }
  const property = (isRecord(node.properties) && Object.hasOwn(node.properties, segment) ? node.properties[segment] : undefined) ?? node.additionalProperties;
  return isRecord(property) ? [property] : [];
}

/** The alternatives a node stands for, narrowed to those whose constants agree with `value`. */
function expand(node: SchemaNode, value: unknown, root: SchemaNode): SchemaNode[] {
  const resolved = typeof node.$ref === "string" ? dereference(root, node.$ref) : node;
  if (!resolved) return [];
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (!Array.isArray(alternatives)) return [resolved];
  const all = alternatives.flatMap((alt: SchemaNode) => expand(alt, value, root));
  if (!isRecord(value)) return all;
  const objects = all.filter((alt) => alt.type === "object" || isRecord(alt.properties));
  const matching = objects.filter((alt) => constantsMatch(alt, value));
  return matching.length > 0 ? matching : objects;
}

function constantsMatch(node: SchemaNode, value: Record<string, unknown>): boolean {
  return Object.entries(node.properties ?? {}).every(([key, property]: [string, any]) => {
    if (!isRecord(property) || !("const" in property)) return true;
    return Object.hasOwn(value, key) && value[key] === property.const;
  });
}

/** Follows a local reference such as `#/$defs/duration`. */
function dereference(root: SchemaNode, ref: string): SchemaNode | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: any = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return isRecord(node) ? node : undefined;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
