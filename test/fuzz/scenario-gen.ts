// Fuzz input for scenario files, generated FROM the JSON Schema editors use (`editorJsonSchema()`),
// never from a hand-written list of strategies, stores, events or client behaviours: a kind added
// to a registry appears in that schema and so in these documents. The walk knows JSON Schema
// keywords only (type, properties, required, additionalProperties, items, prefixItems, anyOf,
// oneOf, allOf, enum, const, minimum/maximum and their exclusive forms, lengths, pattern, $ref,
// $defs, default, examples).
//
// A case is a plain-JSON description: the generated document plus the edits that break it, each
// edit naming its target by an index taken modulo the number of candidates, so shrinking the
// document never invalidates an edit. fast-check prints a shrunk case as that small object;
// `renderCase` turns it into the text (and bytes) a user's file would hold.
import fc from "fast-check";
import { editorJsonSchema } from "../../sim/scenario/schema.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SchemaNode = { [keyword: string]: any };

export interface GenOptions {
  /** Longest array generated, unless the schema's minItems asks for more. */
  maxItems: number;
  /** $ref expansions followed along one branch; deeper, a value stops recursing (null). */
  maxRefDepth: number;
  /**
   * When set, every numeric range is cut to [lower bound, lower bound + span] (a route table
   * of 10,000 virtual nodes x weight 256 is slow, not wrong). Unset: the schema's whole range.
   */
  numberSpan?: number;
  /** Strings tried for string nodes without a pattern, besides random ones. */
  dictionary?: readonly string[];
}

const DEFAULTS: GenOptions = { maxItems: 4, maxRefDepth: 4 };

/** The scenario file's JSON Schema, as editors get it. */
export const scenarioJsonSchema: SchemaNode = editorJsonSchema();

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every subschema of `schema`, each once (no $ref following needed: $defs are walked as subschemas too). */
function eachNode(schema: unknown, visit: (node: SchemaNode) => void, seen = new Set<unknown>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  if (Array.isArray(schema)) return schema.forEach((s) => eachNode(s, visit, seen));
  if (!isRecord(schema)) return;
  visit(schema);
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === "const" || keyword === "enum" || keyword === "default" || keyword === "examples") continue;
    if (keyword === "properties" || keyword === "$defs" || keyword === "definitions" || keyword === "patternProperties") {
      for (const sub of Object.values(value ?? {})) eachNode(sub, visit, seen);
    } else eachNode(value, visit, seen);
  }
}

/**
 * Strings worth trying where the schema only says "string": every constant the schema names
 * (strategy ids, kinds, enum values; an id where a label goes makes labels collide), each with a
 * "#2" suffix (the suffix lbsim gives a repeated label), the default server names s1..s4 (so
 * events can name a server), and a few awkward ones.
 */
export function dictionaryOf(schema: SchemaNode): string[] {
  const words = new Set<string>();
  eachNode(schema, (node) => {
    if (typeof node.const === "string") words.add(node.const);
    if (Array.isArray(node.enum)) for (const v of node.enum) if (typeof v === "string") words.add(v);
  });
  const out = [...words];
  return [...out, ...out.map((w) => `${w}#2`), "s1", "s2", "s3", "s4", "", " ", "-", "#2", "é", "😀", "\u0000", "a\nb"];
}

/** Names the schema lists as required somewhere: the keys a "drop a required key" edit aims at. */
export function requiredKeyNames(schema: SchemaNode): Set<string> {
  const names = new Set<string>();
  eachNode(schema, (node) => {
    if (Array.isArray(node.required)) for (const k of node.required) names.add(String(k));
  });
  return names;
}

/** An object built with own properties only, so a key like "__proto__" stays a key. */
function plainObject(entries: readonly (readonly [string, Json])[]): { [key: string]: Json } {
  const o: { [key: string]: Json } = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** A small JSON value of any shape, for schema nodes that allow anything. */
const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;

/** Values of the schema `schema` (mostly valid against it; cross-field rules it cannot state are not known). */
export function arbitraryFromSchema(schema: SchemaNode, options: Partial<GenOptions> = {}): fc.Arbitrary<Json> {
  return build(schema, schema, { ...DEFAULTS, ...options, dictionary: options.dictionary ?? dictionaryOf(schema) }, 0);
}

type Opts = GenOptions & { dictionary: readonly string[] };

function build(node: unknown, root: SchemaNode, opts: Opts, depth: number): fc.Arbitrary<Json> {
  if (node === true || node === undefined) return anyJson;
  if (node === false) return fc.constant(null); // nothing is valid; any value will do
  if (!isRecord(node)) return anyJson;
  const arb = buildNode(node, root, opts, depth);
  // A default is a value the schema author picked: worth writing out now and then.
  if ("default" in node && node.default !== undefined)
    return fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(node.default as Json) });
  // So is an example, and more often: it may meet a rule across fields that the schema cannot state (fractions adding up to 1, names that must match).
  if (Array.isArray(node.examples) && node.examples.length > 0)
    return fc.oneof({ weight: 1, arbitrary: arb }, { weight: 1, arbitrary: fc.constantFrom(...(node.examples as Json[])) });
  return arb;
}

function buildNode(node: SchemaNode, root: SchemaNode, opts: Opts, depth: number): fc.Arbitrary<Json> {
  if ("const" in node) return fc.constant(node.const as Json);
  if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as Json[]));
  if (typeof node.$ref === "string") {
    const target = dereference(root, node.$ref);
    if (!target || depth >= opts.maxRefDepth) return fc.constant(null);
    const { $ref: _ref, ...rest } = node;
    return build(merge(rest, target), root, opts, depth + 1);
  }
  if (Array.isArray(node.allOf)) {
    const { allOf, ...rest } = node;
    return build(allOf.reduce((acc: SchemaNode, part: unknown) => (isRecord(part) ? merge(acc, part) : acc), rest), root, opts, depth);
  }
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    const { anyOf: _a, oneOf: _o, default: _d, description: _desc, ...rest } = node;
    const base = Object.keys(rest).length > 0 ? rest : undefined;
    return fc.oneof(...alternatives.map((alt: unknown) => build(base && isRecord(alt) ? merge(base, alt) : alt, root, opts, depth)));
  }
  const type = node.type ?? inferType(node);
  if (Array.isArray(type)) return fc.oneof(...type.map((t: string) => buildNode({ ...node, type: t }, root, opts, depth)));
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return integerArb(node, opts);
    case "number":
      return numberArb(node, opts);
    case "string":
      return stringArb(node, opts);
    case "array":
      return arrayArb(node, root, opts, depth);
    case "object":
      return objectArb(node, root, opts, depth);
    default:
      return anyJson;
  }
}

function inferType(node: SchemaNode): string | undefined {
  if (isRecord(node.properties) || "additionalProperties" in node || Array.isArray(node.required)) return "object";
  if ("items" in node || "prefixItems" in node) return "array";
  if ("pattern" in node || "minLength" in node || "maxLength" in node) return "string";
  if ("minimum" in node || "maximum" in node || "exclusiveMinimum" in node || "exclusiveMaximum" in node) return "number";
  return undefined;
}

/** Two schemas that must both hold, shallowly combined (properties and required lists joined). */
function merge(a: SchemaNode, b: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...a, ...b };
  if (isRecord(a.properties) || isRecord(b.properties)) out.properties = { ...(a.properties ?? {}), ...(b.properties ?? {}) };
  if (Array.isArray(a.required) || Array.isArray(b.required)) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  return out;
}

/** A local reference: `#/$defs/x`, `#/definitions/x` or any JSON pointer into the root. */
function dereference(root: SchemaNode, ref: string): SchemaNode | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: any = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) node = node?.[decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~")];
  return isRecord(node) ? node : undefined;
}

/** The bounds a numeric node states, with draft-4 boolean exclusives read too. */
function bounds(node: SchemaNode): { lo: number; hi: number; loOpen: boolean; hiOpen: boolean } {
  let lo = typeof node.minimum === "number" ? node.minimum : -Infinity;
  let hi = typeof node.maximum === "number" ? node.maximum : Infinity;
  let loOpen = node.exclusiveMinimum === true;
  let hiOpen = node.exclusiveMaximum === true;
  if (typeof node.exclusiveMinimum === "number" && node.exclusiveMinimum >= lo) [lo, loOpen] = [node.exclusiveMinimum, true];
  if (typeof node.exclusiveMaximum === "number" && node.exclusiveMaximum <= hi) [hi, hiOpen] = [node.exclusiveMaximum, true];
  return { lo, hi, loOpen, hiOpen };
}

const SAFE = Number.MAX_SAFE_INTEGER;

function integerArb(node: SchemaNode, opts: Opts): fc.Arbitrary<Json> {
  const b = bounds(node);
  let lo = Math.max(-SAFE, b.loOpen ? Math.floor(b.lo) + 1 : Math.ceil(b.lo));
  let hi = Math.min(SAFE, b.hiOpen ? Math.ceil(b.hi) - 1 : Math.floor(b.hi));
  if (!Number.isFinite(b.lo)) lo = Math.max(-SAFE, Math.min(hi, 0) - 1000);
  if (opts.numberSpan !== undefined) hi = Math.min(hi, lo + opts.numberSpan);
  if (lo > hi) return fc.constant(lo);
  const whole = fc.bigInt({ min: BigInt(lo), max: BigInt(hi) }).map(Number);
  const near = fc.bigInt({ min: BigInt(lo), max: BigInt(Math.min(hi, lo + 100)) }).map(Number);
  const parts = [{ weight: 6, arbitrary: near }, { weight: 2, arbitrary: whole }, { weight: 1, arbitrary: fc.constantFrom(lo, hi) }];
  if (typeof node.multipleOf === "number") return fc.oneof(...parts).map((n) => Math.round(n / node.multipleOf) * node.multipleOf);
  return fc.oneof(...parts);
}

function numberArb(node: SchemaNode, opts: Opts): fc.Arbitrary<Json> {
  const b = bounds(node);
  const lo = Number.isFinite(b.lo) ? b.lo : -Number.MAX_VALUE;
  let hi = Number.isFinite(b.hi) ? b.hi : Number.MAX_VALUE;
  const from = Number.isFinite(b.lo) ? b.lo : Math.min(0, hi);
  if (opts.numberSpan !== undefined) hi = Math.min(hi, from + opts.numberSpan);
  const typicalHi = Math.min(hi, from + 100);
  const parts: fc.WeightedArbitrary<Json>[] = [];
  // Mostly numbers a person writes (3, 0.25, 12.5); now and then any double of the range.
  if (typicalHi > from) {
    const integers = integerArb({ minimum: b.lo, maximum: typicalHi, exclusiveMinimum: b.loOpen ? b.lo : undefined }, { ...opts, numberSpan: undefined });
    const decimals = fc.integer({ min: 1, max: 10_000 }).map((k) => {
      const x = from + (k / 10_000) * (typicalHi - from);
      const round = +x.toPrecision(3);
      return round > from && round <= typicalHi ? round : x; // not a filter: one that rejects everything never ends
    });
    parts.push(
      { weight: 4, arbitrary: integers },
      { weight: 3, arbitrary: decimals },
      { weight: 1, arbitrary: fc.double({ min: from, max: typicalHi, minExcluded: b.loOpen, noNaN: true }) },
    );
  }
  if (hi > lo) parts.push({ weight: 1, arbitrary: fc.double({ min: lo, max: hi, minExcluded: b.loOpen, maxExcluded: b.hiOpen, noNaN: true, noDefaultInfinity: true }) });
  const edges = [b.loOpen ? undefined : lo, b.hiOpen ? undefined : hi].filter((x): x is number => x !== undefined && Math.abs(x) < Number.MAX_VALUE);
  if (edges.length > 0) parts.push({ weight: 1, arbitrary: fc.constantFrom(...edges) });
  if (parts.length === 0) return fc.constant(lo); // an empty range: nothing is valid
  const arb = fc.oneof(...parts).map((n) => (Object.is(n, -0) ? 0 : n));
  if (typeof node.multipleOf === "number") return arb.map((n) => Math.round((n as number) / node.multipleOf) * node.multipleOf);
  return arb;
}

function stringArb(node: SchemaNode, opts: Opts): fc.Arbitrary<Json> {
  const min = typeof node.minLength === "number" ? node.minLength : 0;
  const max = typeof node.maxLength === "number" ? node.maxLength : Infinity;
  const fits = (s: string) => s.length >= min && s.length <= max;
  if (typeof node.pattern === "string") return fc.stringMatching(new RegExp(node.pattern), { size: "xsmall" }).filter(fits);
  const short = Math.max(min, Math.min(max, 16));
  const parts: fc.WeightedArbitrary<string>[] = [
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: short }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: min, maxLength: short }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: min, maxLength: short }) },
  ];
  const words = opts.dictionary.filter(fits);
  if (words.length > 0) parts.push({ weight: 4, arbitrary: fc.constantFrom(...words) });
  return fc.oneof(...parts).filter(fits);
}

function arrayArb(node: SchemaNode, root: SchemaNode, opts: Opts, depth: number): fc.Arbitrary<Json> {
  const prefix: unknown[] = Array.isArray(node.prefixItems) ? node.prefixItems : [];
  const minItems = typeof node.minItems === "number" ? node.minItems : 0;
  const maxItems = typeof node.maxItems === "number" ? node.maxItems : Infinity;
  const maxLength = Math.max(minItems, Math.min(maxItems, opts.maxItems));
  const head = fc.tuple(...prefix.map((p) => build(p, root, opts, depth)));
  const restMin = Math.max(0, minItems - prefix.length);
  const restMax = Math.max(restMin, maxLength - prefix.length);
  const items = node.items === false ? fc.constant<Json[]>([]) : node.uniqueItems
    ? fc.uniqueArray(build(node.items, root, opts, depth), { minLength: restMin, maxLength: restMax, selector: (v) => JSON.stringify(v) })
    : fc.array(build(node.items, root, opts, depth), { minLength: restMin, maxLength: restMax });
  return fc.tuple(head, items).map(([h, t]) => [...h, ...t] as Json[]);
}

function objectArb(node: SchemaNode, root: SchemaNode, opts: Opts, depth: number): fc.Arbitrary<Json> {
  const properties: Record<string, unknown> = isRecord(node.properties) ? node.properties : {};
  const required = new Set<string>(Array.isArray(node.required) ? node.required : []);
  const keys = [...new Set([...Object.keys(properties), ...required])];
  const fields = keys.map((key) => {
    const value = build(properties[key], root, opts, depth);
    // Optional keys are left out half the time, and shrink to left out.
    return required.has(key) ? value.map((v) => [key, v] as const) : fc.option(value.map((v) => [key, v] as const), { nil: undefined, freq: 2 });
  });
  const extra = isRecord(node.additionalProperties)
    ? fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !keys.includes(k)), build(node.additionalProperties, root, opts, depth)), { maxLength: 2 })
    : fc.constant([] as (readonly [string, Json])[]);
  return fc.tuple(fc.tuple(...fields), extra).map(([present, more]) => plainObject([...present.filter((f) => f !== undefined), ...more]));
}

// ---- breaking a document ---------------------------------------------------------------

/** Values too large or odd to write inline in a counterexample: a case names them. */
export const SPECIALS = {
  "long string": () => "x".repeat(200_000),
  "long unicode string": () => "é😀\u200b".repeat(30_000),
  "control characters": () => "\u0000\u0007\u001b[31m\r\n\t\u2028",
  "lone surrogate": () => "\ud800x",
  "many numbers": () => Array.from({ length: 5000 }, (_, i) => i),
  "many strings": () => Array.from({ length: 2000 }, (_, i) => `x${i}`),
  "many empty objects": () => Array.from({ length: 3000 }, () => ({})),
  "many keys": () => plainObject(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i] as const)),
  "long key": () => plainObject([["k".repeat(100_000), 1]]),
  "long strings": () => Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(3000, "y")),
} satisfies Record<string, () => Json>;
export type SpecialName = keyof typeof SPECIALS;

/** Numbers at and past the edges a double and the schema care about. */
export const ODD_NUMBERS = [-1, -0.5, 0, 0.5, 1.5, 1e21, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, Number.EPSILON, 1e-7, 255, 256, 257, 65535, 65536];
/** Number texts JSON.stringify never writes: too large or small for a double, or not JSON at all. */
export const NUMBER_TEXTS = ["1e400", "-1e400", "1e-400", "-0", "0.0000", "1E+2", "1.0", "123456789012345678901234567890", "9".repeat(400), "0." + "0".repeat(400) + "1", "NaN", "Infinity", "-Infinity", "0x10", "+1", ".5", "5.", "01", "1e", "--1", "1_000", "1,5"];
/** Scalar texts for any value: odd strings and non-JSON words. */
export const VALUE_TEXTS = ['"\\u0000"', '"\\x41"', '"\\uZZZZ"', '"\\ud800"', '"unterminated', "'single'", "undefined", "True", "nul", '"a" "b"', '"\t"', "[]", "{}", "[,]", '{"":}'];
/** Snippets dropped into the text. */
export const SNIPPETS = ["//c\n", "/* c */", "/*", ",", ",,", "\t", "\u00a0", "\ufeff", "\u2028", "}", "]", '"', "\\", "{", "[".repeat(100), "\u0000", ":", "\n\n\n"];

export type ValueEdit =
  | { drop: number; required: boolean } // the n-th key (of those named required somewhere in the schema, or of all)
  | { add: string; at: number; value: Json } // a key written into the n-th object
  | { replace: number; with: Json } // the n-th value, by a value of another type
  | { number: number; with: number } // the n-th number, by an odd one
  | { special: number; by: SpecialName } // the n-th value, by a huge one
  | { nest: number; depth: number; kind: "array" | "object" }; // the n-th value, wrapped `depth` levels deep
export type TextEdit =
  | { rawNumber: number; text: string } // the n-th number written as this text
  | { rawValue: number; text: string } // the n-th scalar written as this text
  | { duplicateKey: number } // the n-th non-empty object writes its first key twice
  | { insert: number; text: string } // text inserted at this fraction of the length
  | { truncate: number } // the text cut to this fraction
  | { lineEnds: "\r\n" | "\r" };
export type ByteEdit =
  | { encode: "utf16le" | "utf16be" | "utf16le-bom" | "utf16be-bom" | "utf32le-bom" }
  | { bom: "utf8" | "utf8 twice" }
  | { flip: number; xor: number } // the byte at this fraction, xor this
  | { cut: number } // the bytes cut to this fraction (may split a character)
  | { insertByte: number; byte: number };

/** One fuzz case: a document and what breaks it. `indent` 0 writes it on one line. */
export interface ScenarioCase {
  doc: Json;
  indent: 0 | 2;
  values: ValueEdit[];
  text: TextEdit[];
  bytes: ByteEdit[];
}

/** fc.record without null-prototype objects, which print less readably. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const index = fc.nat({ max: 1000 });
const wrongType: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...ODD_NUMBERS),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2, noNullPrototype: true }),
);
/** Keys a scenario never has: JavaScript's object machinery, near misses, junk. */
const strangeKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "", " ", "$schema", "id", "kind", "dist"),
  fc.string({ maxLength: 10 }),
);

export const valueEdit: fc.Arbitrary<ValueEdit> = fc.oneof(
  { weight: 3, arbitrary: rec({ drop: index, required: fc.boolean() }) },
  { weight: 3, arbitrary: rec({ add: strangeKey, at: index, value: wrongType }) },
  { weight: 3, arbitrary: rec({ replace: index, with: wrongType }) },
  { weight: 3, arbitrary: rec({ number: index, with: fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true })) }) },
  { weight: 1, arbitrary: rec({ special: index, by: fc.constantFrom(...(Object.keys(SPECIALS) as SpecialName[])) }) },
  { weight: 1, arbitrary: rec({ nest: index, depth: fc.constantFrom(3, 10, 63, 64, 65, 200, 3000), kind: fc.constantFrom("array" as const, "object" as const) }) },
);
export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 3, arbitrary: rec({ rawNumber: index, text: fc.constantFrom(...NUMBER_TEXTS) }) },
  { weight: 2, arbitrary: rec({ rawValue: index, text: fc.constantFrom(...VALUE_TEXTS) }) },
  { weight: 3, arbitrary: rec({ duplicateKey: index }) },
  { weight: 2, arbitrary: rec({ insert: fraction, text: fc.constantFrom(...SNIPPETS) }) },
  { weight: 2, arbitrary: rec({ truncate: fraction }) },
  { weight: 1, arbitrary: rec({ lineEnds: fc.constantFrom("\r\n" as const, "\r" as const) }) },
);
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  rec({ encode: fc.constantFrom("utf16le" as const, "utf16be" as const, "utf16le-bom" as const, "utf16be-bom" as const, "utf32le-bom" as const) }),
  rec({ bom: fc.constantFrom("utf8" as const, "utf8 twice" as const) }),
  rec({ flip: fraction, xor: fc.integer({ min: 1, max: 255 }) }),
  rec({ cut: fraction }),
  rec({ insertByte: fraction, byte: fc.constantFrom(0x00, 0x80, 0xc0, 0xed, 0xf8, 0xfe, 0xff) }),
);

/** Documents of the scenario schema, mostly valid against it (cross-field rules aside). */
export function scenarioDocument(options: Partial<GenOptions> = {}): fc.Arbitrary<Json> {
  // Half the documents get exactly one of servers.count and servers.list, a rule the JSON Schema
  // does not state and a quarter of raw documents would break, so that many reach the later checks.
  return fc.tuple(arbitraryFromSchema(scenarioJsonSchema, options), fc.boolean()).map(([doc, tidy]) => (tidy ? oneServerForm(doc) : doc));
}

/** The document with exactly one of servers.count and servers.list, when it has a servers object. */
function oneServerForm(doc: Json): Json {
  if (!isRecord(doc)) return doc;
  const found = (doc as { [key: string]: Json }).servers;
  if (!isRecord(found)) return doc;
  const servers = found as { [key: string]: Json };
  if (servers.count !== undefined && servers.list !== undefined) delete servers.list;
  else if (servers.count === undefined && servers.list === undefined) servers.count = 2;
  return doc;
}

/** Up to `max` edits; none `none` times in `none + 1`. */
function edits<T>(arb: fc.Arbitrary<T>, none: number, max: number): fc.Arbitrary<T[]> {
  return fc.oneof({ weight: none, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: fc.array(arb, { minLength: 1, maxLength: max }) });
}

/**
 * Fuzz cases: generated documents, about half left as generated, the rest broken in their
 * values, their text or their bytes. `bytes: false` leaves out byte edits (for callers that
 * hand text, not a file, to the loader).
 */
export function scenarioCase(options: Partial<GenOptions> & { bytes?: boolean } = {}): fc.Arbitrary<ScenarioCase> {
  return rec({
    doc: scenarioDocument(options),
    indent: fc.constantFrom(0 as const, 2 as const),
    values: edits(valueEdit, 2, 3),
    text: edits(textEdit, 2, 2),
    bytes: options.bytes === false ? fc.constant([]) : edits(byteEdit, 3, 2),
  });
}

// ---- writing a case out ----------------------------------------------------------------

interface Slot {
  parent: Json[] | { [key: string]: Json } | null;
  key: string | number;
  value: Json;
}

/** Every value of `root` with where it sits, in the order written (the root first, parent null). */
function slots(root: Json): Slot[] {
  const out: Slot[] = [];
  const stack: Slot[] = [{ parent: null, key: "", value: root }];
  while (stack.length > 0) {
    const slot = stack.pop()!;
    out.push(slot);
    const v = slot.value;
    const children: Slot[] = [];
    if (Array.isArray(v)) v.forEach((item, i) => children.push({ parent: v, key: i, value: item }));
    else if (isRecord(v)) for (const k of Object.keys(v)) children.push({ parent: v as { [key: string]: Json }, key: k, value: (v as any)[k] });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function setSlot(slot: Slot, value: Json, holder: { root: Json }): void {
  if (slot.parent === null) holder.root = value;
  else if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else Object.defineProperty(slot.parent, slot.key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of plain JSON that keeps every own key (also "__proto__"). */
function copy(value: Json): Json {
  if (Array.isArray(value)) return value.map(copy);
  if (isRecord(value)) return plainObject(Object.keys(value).map((k) => [k, copy((value as any)[k])] as const));
  return value;
}

const REQUIRED = requiredKeyNames(scenarioJsonSchema);

/** The document after its value edits. */
export function editedValue(c: Pick<ScenarioCase, "doc" | "values">): Json {
  const holder = { root: copy(c.doc) };
  for (const edit of c.values) {
    const all = slots(holder.root);
    const pick = <T>(list: T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);
    if ("drop" in edit) {
      const keyed = all.filter((s) => s.parent !== null && !Array.isArray(s.parent));
      const preferred = edit.required ? keyed.filter((s) => REQUIRED.has(String(s.key))) : [];
      const slot = pick(preferred.length > 0 ? preferred : keyed, edit.drop);
      if (slot) delete (slot.parent as Record<string, Json>)[slot.key as string];
    } else if ("add" in edit) {
      const target = pick(all.filter((s) => isRecord(s.value)), edit.at);
      if (target) Object.defineProperty(target.value, edit.add, { value: copy(edit.value), enumerable: true, writable: true, configurable: true });
    } else if ("replace" in edit) {
      const slot = pick(all, edit.replace);
      if (slot) setSlot(slot, copy(edit.with), holder);
    } else if ("number" in edit) {
      const slot = pick(all.filter((s) => typeof s.value === "number"), edit.number);
      if (slot) setSlot(slot, edit.with, holder);
    } else if ("special" in edit) {
      const slot = pick(all, edit.special);
      if (slot) setSlot(slot, SPECIALS[edit.by](), holder);
    } else {
      const slot = pick(all, edit.nest);
      if (slot) {
        let v = slot.value;
        for (let i = 0; i < edit.depth; i++) v = edit.kind === "array" ? [v] : plainObject([["a", v]]);
        setSlot(slot, v, holder);
      }
    }
  }
  return holder.root;
}

/** JSON text written by hand, so a number can be written as any text and a key twice. */
function writeJson(root: Json, indent: number, raw: { numbers: Map<number, string>; scalars: Map<number, string>; duplicates: Set<number> }): string {
  let numbers = 0, scalars = 0, objects = 0;
  const out: string[] = [];
  // Indentation stops growing past 32 levels: a 3000-deep nest written with full indentation is 36 MB.
  const newline = (level: number) => (indent === 0 ? "" : "\n" + " ".repeat(indent * Math.min(level, 32)));
  // An explicit stack of "write this" steps: a 3000-deep document must not overflow the call stack.
  type Step = { text: string } | { value: Json; level: number };
  const steps: Step[] = [];
  const push = (...items: Step[]) => steps.push(...items.reverse());
  push({ value: root, level: 0 });
  while (steps.length > 0) {
    const step = steps.pop()!;
    if (!("level" in step)) {
      out.push(step.text);
      continue;
    }
    const { value, level } = step;
    if (typeof value === "number") {
      const n = numbers++, s = scalars++;
      out.push(raw.numbers.get(n) ?? raw.scalars.get(s) ?? JSON.stringify(value));
    } else if (value === null || typeof value !== "object") {
      const s = scalars++;
      out.push(raw.scalars.get(s) ?? JSON.stringify(value));
    } else if (Array.isArray(value)) {
      if (value.length === 0) {
        out.push("[]");
        continue;
      }
      const items: Step[] = [{ text: "[" }];
      value.forEach((v, i) => items.push({ text: (i > 0 ? "," : "") + newline(level + 1) }, { value: v, level: level + 1 }));
      items.push({ text: newline(level) + "]" });
      push(...items);
    } else {
      const keys = Object.keys(value);
      if (keys.length === 0) {
        out.push("{}");
        continue;
      }
      const o = objects++;
      const entries = keys.map((k) => [k, (value as any)[k] as Json] as const);
      if (raw.duplicates.has(o)) entries.push(entries[0]);
      const items: Step[] = [{ text: "{" }];
      entries.forEach(([k, v], i) => items.push({ text: (i > 0 ? "," : "") + newline(level + 1) + JSON.stringify(k) + (indent ? ": " : ":") }, { value: v, level: level + 1 }));
      items.push({ text: newline(level) + "}" });
      push(...items);
    }
  }
  return out.join("");
}

function counts(root: Json): { numbers: number; scalars: number; objects: number } {
  let numbers = 0, scalars = 0, objects = 0;
  for (const { value } of slots(root)) {
    if (typeof value === "number") numbers++;
    if (value === null || typeof value !== "object") scalars++;
    else if (isRecord(value) && Object.keys(value).length > 0) objects++;
  }
  return { numbers, scalars, objects };
}

/** The file a case describes: its text, and its bytes when byte edits apply (else the text as UTF-8). */
export function renderCase(c: ScenarioCase): { text: string; bytes: Buffer } {
  const value = editedValue(c);
  const n = counts(value);
  const raw = { numbers: new Map<number, string>(), scalars: new Map<number, string>(), duplicates: new Set<number>() };
  const structural = c.text.filter((e) => "rawNumber" in e || "rawValue" in e || "duplicateKey" in e);
  for (const e of structural) {
    if ("rawNumber" in e && n.numbers > 0) raw.numbers.set(e.rawNumber % n.numbers, e.text);
    if ("rawValue" in e && n.scalars > 0) raw.scalars.set(e.rawValue % n.scalars, e.text);
    if ("duplicateKey" in e && n.objects > 0) raw.duplicates.add(e.duplicateKey % n.objects);
  }
  let text = writeJson(value, c.indent, raw);
  for (const e of c.text) {
    if ("insert" in e) {
      const at = Math.floor(e.insert * text.length);
      text = text.slice(0, at) + e.text + text.slice(at);
    } else if ("truncate" in e) text = text.slice(0, Math.floor(e.truncate * text.length));
    else if ("lineEnds" in e) text = text.replaceAll("\n", e.lineEnds);
  }
  let bytes: Buffer = Buffer.from(text, "utf8");
  for (const e of c.bytes) bytes = editBytes(bytes, text, e);
  return { text, bytes };
}

function editBytes(bytes: Buffer, text: string, e: ByteEdit): Buffer {
  const at = (f: number) => Math.min(bytes.length - 1, Math.floor(f * bytes.length));
  if ("encode" in e) {
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    switch (e.encode) {
      case "utf16le":
        return le;
      case "utf16be":
        return be;
      case "utf16le-bom":
        return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
      case "utf16be-bom":
        return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
      case "utf32le-bom": {
        const points = Array.from(text, (ch) => ch.codePointAt(0)!);
        const out = Buffer.alloc(4 * (points.length + 1));
        out.writeUInt32LE(0xfeff, 0);
        points.forEach((p, i) => out.writeUInt32LE(p, 4 * (i + 1)));
        return out;
      }
    }
  }
  if ("bom" in e) return Buffer.concat([Buffer.from(e.bom === "utf8" ? [0xef, 0xbb, 0xbf] : [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), bytes]);
  if (bytes.length === 0) return bytes;
  if ("flip" in e) {
    const out = Buffer.from(bytes);
    out[at(e.flip)] ^= e.xor;
    return out;
  }
  if ("cut" in e) return bytes.subarray(0, Math.floor(e.cut * bytes.length));
  const i = at(e.insertByte);
  return Buffer.concat([bytes.subarray(0, i), Buffer.from([e.byte]), bytes.subarray(i)]);
}

// ---- documents a run can take ------------------------------------------------------------

/**
 * `doc` made small enough to run in a moment, by post-processing the generated object (no kind
 * is named): duration at most 5 minutes, warmup shorter, one replication, at most 4 servers and
 * 3 strategies, at most 5 visits per second, events only within the run. Anything else the
 * generator chose is kept; a document this cannot make valid is left for the caller to skip.
 */
export function smallRunnable(doc: Json, toSeconds: (d: number | string) => number): Json {
  if (!isRecord(doc)) return doc;
  const d = copy(doc) as Record<string, any>;
  const seconds = (v: unknown, fallback: number) => {
    try {
      return typeof v === "number" || typeof v === "string" ? toSeconds(v) : fallback;
    } catch {
      return fallback;
    }
  };
  d.duration = Math.min(Math.max(seconds(d.duration, 300), 1), 300);
  if (seconds(d.warmup, 0) >= d.duration) delete d.warmup;
  d.replications = 1;
  if (isRecord(d.servers)) {
    if (d.servers.count !== undefined && d.servers.list !== undefined) delete d.servers.list;
    if (d.servers.count === undefined && d.servers.list === undefined) d.servers.count = 2;
    if (typeof d.servers.count === "number") d.servers.count = Math.min(d.servers.count, 4);
    if (Array.isArray(d.servers.list)) d.servers.list = d.servers.list.slice(0, 4);
  }
  if (Array.isArray(d.strategies)) d.strategies = d.strategies.slice(0, 3);
  d.clients = isRecord(d.clients) ? d.clients : {};
  const rate = d.clients.visitsPerSecond;
  d.clients.visitsPerSecond = typeof rate === "number" ? Math.min(rate, 5) : 5;
  if (Array.isArray(d.events)) d.events = d.events.filter((e: any) => isRecord(e) && seconds(e.at, Infinity) <= d.duration);
  return d as Json;
}
