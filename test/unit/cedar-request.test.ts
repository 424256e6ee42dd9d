import fc from "fast-check";
import {
  buildCedarRequest,
  MAX_INPUT_DEPTH,
  toCedarSafe,
  toolCallFacts,
} from "../../lambdas/core/policy/cedar-request";

const TASK = { agent_id: "agent-1", repo: "acme/app", owner: "alice", read_only: false };

describe("toCedarSafe", () => {
  it.each([
    ["an integer stays a number", 42, 42],
    ["a float becomes a string", 1.5, "1.5"],
    ["an unsafe integer becomes a string", 2 ** 60, String(2 ** 60)],
    ["a huge float becomes a string", 1e300, "1e+300"],
    ["a boolean stays", true, true],
    ["null is dropped", null, undefined],
    ["a lone surrogate is replaced", "a\ud800b", "a\ufffdb"],
  ])("%s", (_name, input, expected) => {
    expect(toCedarSafe(input)).toEqual(expected);
  });

  it("drops nulls inside objects and arrays", () => {
    expect(toCedarSafe({ a: null, b: [1, null, 2] })).toEqual({ b: [1, 2] });
  });

  it("renames keys Cedar would read as entity or extension escapes", () => {
    expect(toCedarSafe({ __entity: 1, __extn: 2, __expr: 3, __other: 4 })).toEqual({
      ___entity: 1,
      ___extn: 2,
      ___expr: 3,
      __other: 4,
    });
  });

  it("keeps a __proto__ key as data without touching any prototype", () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    const safe = toCedarSafe(parsed) as Record<string, unknown>;
    expect(Object.keys(safe)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(`keeps values nested deeper than ${MAX_INPUT_DEPTH} as their JSON text`, () => {
    let deep: Record<string, unknown> = { leaf: "secret-word" };
    for (let i = 0; i < 12; i++) deep = { n: deep };
    let node = toCedarSafe(deep);
    let depth = 1;
    while (typeof node === "object" && node !== null && !Array.isArray(node) && "n" in node) {
      node = node.n;
      depth++;
    }
    expect(depth).toBe(MAX_INPUT_DEPTH + 1);
    expect(typeof node).toBe("string");
    expect(node).toContain("secret-word");
  });

  it("never throws and never returns a float or null, whatever the JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(toCedarSafe(value) ?? "");
        const back: unknown = JSON.parse(text);
        const bad = (v: unknown): boolean =>
          v === null ||
          (typeof v === "number" && !Number.isSafeInteger(v)) ||
          (typeof v === "object" && v !== null && Object.values(v).some(bad));
        return !bad(back);
      }),
      { numRuns: 300 },
    );
  });
});

describe("buildCedarRequest", () => {
  it("takes file_path, else path, else notebook_path", () => {
    expect(
      toolCallFacts({ tool_name: "Write", tool_input: { path: "b", notebook_path: "c" } }).filePath,
    ).toBe("b");
    expect(toolCallFacts({ tool_name: "Write", tool_input: { notebook_path: "c" } }).filePath).toBe("c");
    expect(toolCallFacts({ tool_name: "Write", tool_input: { file_path: 7, path: "b" } }).filePath).toBe("b");
  });

  it("omits command, file_path and url when they are not strings", () => {
    const request = buildCedarRequest(TASK, { tool_name: "X", tool_input: { command: ["ls"], url: 3 } });
    expect(Object.keys(request.context).sort()).toEqual(["input", "task", "tool"]);
  });

  it("lower-cases the command into command_lower and keeps url", () => {
    const request = buildCedarRequest(TASK, {
      tool_name: "Bash",
      tool_input: { command: "RM -RF /", url: "https://x" },
    });
    expect(request.context).toMatchObject({
      command: "RM -RF /",
      command_lower: "rm -rf /",
      url: "https://x",
    });
  });
});
