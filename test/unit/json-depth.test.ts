import { pathDeeperThan } from "../../lambdas/core/json-depth";

/** `levels` containers of one kind, one inside the other, around `inner`. */
function nest(levels: number, kind: "array" | "object", inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < levels; i += 1) value = kind === "array" ? [value] : { k: value };
  return value;
}

describe("pathDeeperThan", () => {
  it.each([
    { what: "a scalar", value: "text", max: 1 },
    { what: "an empty object at the limit", value: {}, max: 1 },
    { what: "arrays exactly at the limit", value: nest(64, "array"), max: 64 },
    { what: "objects exactly at the limit", value: nest(64, "object"), max: 64 },
    {
      what: "a wide but shallow object",
      value: Object.fromEntries([...Array(5000)].map((_, i) => [`k${i}`, [i]])),
      max: 2,
    },
  ])("finds nothing too deep in $what", ({ value, max }) => {
    // Act
    const path = pathDeeperThan(value, max);

    // Assess
    expect(path).toBeUndefined();
  });

  it.each([
    { what: "arrays", value: { tool_input: nest(64, "array", []) }, first: "tool_input" },
    { what: "objects", value: { tool_input: nest(64, "object", {}) }, first: "tool_input" },
    { what: "arrays and objects mixed", value: { a: nest(32, "array", nest(32, "object", [])) }, first: "a" },
  ])("names where $what nest one level too deep", ({ value, first }) => {
    // Act
    const path = pathDeeperThan(value, 64);

    // Assess
    expect(path?.[0]).toBe(first);
    expect(path).toHaveLength(64);
  });

  it("measures a million levels without overflowing the stack", () => {
    // Prepare: parsed JSON, since JSON.parse does not recurse and so builds what recursion could not walk.
    const text = `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`;
    const value: unknown = JSON.parse(text);

    // Act
    const path = pathDeeperThan(value, 64);

    // Assess
    expect(path).toHaveLength(64);
    expect(path?.every((key) => key === 0)).toBe(true);
  });
});
