/** One step of the serializer's work list: text to emit, a value to serialize, or a container to close. */
type Step =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "leave"; readonly container: object };

/**
 * The canonical JSON text of plain JSON data: object keys sorted by JavaScript's default
 * `Array.prototype.sort()` order (UTF-16 code units) at every depth, no whitespace, and strings, numbers
 * and arrays written exactly as `JSON.stringify` writes them (so `-0` becomes `0` and non-finite numbers
 * become `null`). Object properties whose value is `undefined` are omitted; `undefined` inside an array
 * becomes `null`, as with `JSON.stringify`.
 *
 * Accepts only plain data: `null`, booleans, numbers, strings, arrays and objects whose prototype is
 * `Object.prototype` or `null`. An own `__proto__` key (as `JSON.parse` creates) is an ordinary key.
 * `toJSON` is never called.
 *
 * Works from an explicit stack rather than recursion, so any nesting that `JSON.parse` can produce from a
 * size-limited request body is handled without exhausting the call stack.
 *
 * @throws TypeError for `undefined` at the top level, functions, symbols, bigints, non-plain objects
 * (for example `Date` or `Map`) and circular references.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) {
    throw new TypeError("canonicalJson: undefined has no JSON form");
  }
  const out: string[] = [];
  // Containers currently being written, to refuse cycles instead of looping until memory runs out.
  const open = new Set<object>();
  const steps: Step[] = [{ kind: "value", value }];

  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    if (step.kind === "text") {
      out.push(step.text);
    } else if (step.kind === "leave") {
      open.delete(step.container);
    } else {
      writeValue(step.value, out, steps, open);
    }
  }
  return out.join("");
}

/** Writes a scalar to `out`, or opens a container and schedules its members on `steps` in reverse. */
function writeValue(value: unknown, out: string[], steps: Step[], open: Set<object>): void {
  if (value === null || value === undefined) {
    // Only array slots reach here with `undefined`; object members holding it are skipped earlier.
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      out.push(JSON.stringify(value));
      return;
    case "object":
      break;
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`);
  }

  if (open.has(value)) {
    throw new TypeError("canonicalJson: cannot serialize a circular reference");
  }

  if (Array.isArray(value)) {
    out.push("[");
    open.add(value);
    steps.push({ kind: "leave", container: value }, { kind: "text", text: "]" });
    for (let index = value.length - 1; index >= 0; index -= 1) {
      steps.push({ kind: "value", value: value[index] });
      if (index > 0) {
        steps.push({ kind: "text", text: "," });
      }
    }
    return;
  }

  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new TypeError(
      `canonicalJson: cannot serialize a ${typeof name === "string" ? name : "non-plain object"}; only plain objects`,
    );
  }

  const record = value as Record<string, unknown>;
  // Reading through the record finds an own `__proto__` data property, never the prototype accessor.
  const members = Object.keys(record)
    .sort()
    .map((key) => ({ key, member: record[key] }))
    .filter(({ member }) => member !== undefined);

  out.push("{");
  open.add(value);
  steps.push({ kind: "leave", container: value }, { kind: "text", text: "}" });
  for (let index = members.length - 1; index >= 0; index -= 1) {
    const entry = members[index];
    if (entry === undefined) {
      continue;
    }
    steps.push({ kind: "value", value: entry.member });
    steps.push({ kind: "text", text: `${index > 0 ? "," : ""}${JSON.stringify(entry.key)}:` });
  }
}
