/** Where a value sits in JSON data: object keys and array indexes from the top. */
export type JsonPath = readonly (string | number)[];

interface Pending {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Pending | undefined;
  readonly key: string | number | undefined;
}

/**
 * The path to the first array or object nested more than `maxDepth` levels deep (the value itself is
 * level 1), or `undefined` when there is none. Checked before anything recursive (size checks, hashing,
 * Cedar) sees parsed input, so it walks with its own stack and cannot overflow the call stack.
 */
export function pathDeeperThan(value: unknown, maxDepth: number): JsonPath | undefined {
  const stack: Pending[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node.value !== "object" || node.value === null) continue;
    if (node.depth > maxDepth) return pathOf(node);
    const children: [string | number, unknown][] = Array.isArray(node.value)
      ? node.value.map((child, i) => [i, child])
      : Object.entries(node.value);
    for (const [key, child] of children) {
      if (typeof child === "object" && child !== null) {
        stack.push({ value: child, depth: node.depth + 1, parent: node, key });
      }
    }
  }
  return undefined;
}

function pathOf(node: Pending): JsonPath {
  const path: (string | number)[] = [];
  for (let at: Pending | undefined = node; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}
