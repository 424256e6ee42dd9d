import fc from "fast-check";
import { analyzeCall } from "../../lambdas/core/policy/call-analysis";
import { buildCedarRequests, MAX_INPUT_DEPTH, toCedarSafe } from "../../lambdas/core/policy/cedar-request";
import { wordSplittingParser } from "../support/shell-parser";

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

describe("buildCedarRequests", () => {
  const requests = (tool_name: string, tool_input: Record<string, unknown>) =>
    buildCedarRequests(
      TASK,
      { tool_name, tool_input },
      analyzeCall({ tool_name, tool_input }, wordSplittingParser),
    );

  it("takes file_path, else path, else notebook_path", () => {
    const filePath = (tool_input: Record<string, unknown>) =>
      analyzeCall({ tool_name: "Write", tool_input }, wordSplittingParser).filePath;
    expect(filePath({ path: "b", notebook_path: "c" })).toBe("b");
    expect(filePath({ notebook_path: "c" })).toBe("c");
    expect(filePath({ file_path: 7, path: "b" })).toBe("b");
  });

  it("omits command, file_path and url when they are neither strings nor an argv", () => {
    const [request] = requests("X", { command: 7, url: 3 });
    expect(Object.keys(request?.context ?? {}).sort()).toEqual(["input", "task", "tool"]);
  });

  it("reads an argv as one command and shows it joined as the call's command", () => {
    const [request] = requests("Bash", { command: ["rm", "-rf", "/"] });
    expect(request?.context).toMatchObject({
      command: "rm -rf /",
      cmd: { program: "rm", paths: ["/"] },
      write: { path: "/" },
    });
  });

  it("lower-cases the command into command_lower and keeps url", () => {
    const [request] = requests("Bash", { command: "RM -RF /", url: "https://x" });
    expect(request?.context).toMatchObject({
      command: "RM -RF /",
      command_lower: "rm -rf /",
      url: "https://x",
    });
  });

  it("judges a file tool's target as a write, normalized", () => {
    const [request] = requests("Edit", { file_path: "src/../.GIT/hooks/pre-commit" });
    expect(request?.context).toMatchObject({
      write: { path: ".GIT/hooks/pre-commit", path_lower: ".git/hooks/pre-commit", name_lower: "pre-commit" },
    });
  });

  it("makes one request per file a command writes, each with the command's facts", () => {
    const all = requests("Bash", { command: "tee a b" });
    expect(
      all.map((r) => [r.context.cmd && (r.context.cmd as { program: string }).program, r.context.write]),
    ).toEqual([
      ["tee", { path: "a", path_lower: "a", name_lower: "a", resolved: true }],
      ["tee", { path: "b", path_lower: "b", name_lower: "b", resolved: true }],
    ]);
  });
});
