import type { z } from "zod";
import { fromLosslessJson, toLosslessJson } from "../sim/lossless-json.js";

/** A file lbsim writes for itself to read back (shard.json, partial.json): lossless JSON whose `format` names its kind. */
export function renderFormatFile(format: string, contents: object): string {
  return toLosslessJson({ format, ...contents }) + "\n";
}

/** The contents of a file `renderFormatFile(format, ...)` wrote, checked by `schema`, or why `text` is not one (a phrase for a message). */
export function parseFormatFile<T extends z.ZodType>(text: string, format: string, schema: T): Omit<z.infer<T>, "format"> | { problem: string } {
  let value: unknown;
  try {
    value = fromLosslessJson(text);
  } catch {
    return { problem: "it is not JSON" };
  }
  if ((value as { format?: unknown } | null)?.format !== format) return { problem: `its "format" is not ${JSON.stringify(format)}` };
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${issue.path.length > 0 ? issue.path.join(".") : "the file"}: ${issue.message}` };
  }
  // The value as read, not zod's copy, which puts the keys it knows first: key order is part of the bytes rendered from it.
  const { format: _, ...contents } = value as { format: string };
  return contents as Omit<z.infer<T>, "format">;
}
