import type { Node } from "jsonc-parser";

/**
 * Calls `visit` for every value in a jsonc-parser tree with its JSON path, in the order the
 * values are written. It keeps its own stack rather than recursing, so the depth of the
 * document never matters.
 */
export function eachValue(tree: Node, visit: (node: Node, path: (string | number)[]) => void): void {
  const stack: { node: Node; path: (string | number)[] }[] = [{ node: tree, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    visit(node, path);
    const children: { node: Node; path: (string | number)[] }[] = [];
    if (node.type === "array") node.children?.forEach((item, i) => children.push({ node: item, path: [...path, i] }));
    if (node.type === "object")
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) children.push({ node: value, path: [...path, String(key.value)] });
      }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}
