import { it } from "vitest";
import { z } from "zod";
import { parseTree, printParseErrorCode, type ParseError } from "jsonc-parser";
const texts = ['{"a": 1,}', '[1,2,]', '{"a": 1\n "b": 2}', '[1 2]', '', '   \n', '{"a": // c\n 1}', '{"a": 1} x', '{"a": "x\n"}', '{"a": 01}', '{"a": tru}', "{'a': 1}", '{"a" 1}', '{"a": [1, {"b": 2}}', '{"a": 1', '{a: 1}', '{"a": "\\q"}', '{"a":1,,"b":2}'];
it("x", () => {
  for (const t of texts) {
    const errors: ParseError[] = [];
    parseTree(t, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    console.log(JSON.stringify(t), errors.map((e) => `${printParseErrorCode(e.error)}@${e.offset}+${e.length}`).join(" "));
  }
  console.log(typeof z.config, typeof z.config().localeError);
  const r = z.object({ a: z.number(), b: z.string().regex(/x/, { error: "custom x" }) }).safeParse({ a: "s", b: "y" }, { error: (iss) => "MARK" + (z.config().localeError?.(iss) as any) });
  console.log(JSON.stringify(r.error?.issues));
});
