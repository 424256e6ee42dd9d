import fc from "fast-check";
import {
  FILE_WRITE_TOOLS,
  formatScope,
  type GrantFacts,
  grantCoversCall,
  parseScope,
  pathGlobMatches,
  ruleGrants,
  type Scope,
} from "../../lambdas/core/scopes";

const SOFT_RULE_IDS: ReadonlySet<string> = new Set([
  "force_push",
  "force_push_protected",
  "push_protected_branch",
  "write_env_file",
  "write_credentials",
  "terraform_apply",
  "kubectl_delete",
  "package_publish",
]);

/** Parses a scope the test expects to be accepted, failing with the refusal message otherwise. */
function parseAccepted(raw: string, softRuleIds?: ReadonlySet<string>): { scope: Scope; canonical: string } {
  const result = parseScope(raw, softRuleIds === undefined ? {} : { softRuleIds });
  if (!result.ok) {
    throw new Error(`expected ${JSON.stringify(raw)} to be accepted, got: ${result.message}`);
  }
  return result;
}

/** Parses a scope the test expects to be refused and returns the message. */
function parseRefused(raw: string, softRuleIds?: ReadonlySet<string>): string {
  const result = parseScope(raw, softRuleIds === undefined ? {} : { softRuleIds });
  if (result.ok) {
    throw new Error(`expected ${JSON.stringify(raw)} to be refused, got: ${result.canonical}`);
  }
  return result.message;
}

describe("parseScope accepts", () => {
  it.each<{ raw: string; scope: Scope; canonical: string }>([
    { raw: "this_call", scope: { kind: "this_call" }, canonical: "this_call" },
    { raw: "all_session", scope: { kind: "all_session" }, canonical: "all_session" },
    { raw: "tool:Bash", scope: { kind: "tool", tool: "Bash" }, canonical: "tool:Bash" },
    {
      raw: "tool_group:file_write",
      scope: { kind: "tool_group", group: "file_write" },
      canonical: "tool_group:file_write",
    },
    {
      raw: "command:git push *",
      scope: { kind: "command", glob: "git push *" },
      canonical: "command:git push *",
    },
    { raw: "path:src/**", scope: { kind: "path", glob: "src/**" }, canonical: "path:src/**" },
    { raw: "rule:force_push", scope: { kind: "rule", ruleId: "force_push" }, canonical: "rule:force_push" },
    { raw: "  tool:Bash \n", scope: { kind: "tool", tool: "Bash" }, canonical: "tool:Bash" },
    {
      raw: "tool:mcp__github__x",
      scope: { kind: "tool", tool: "mcp__github__x" },
      canonical: "tool:mcp__github__x",
    },
    {
      raw: "command:kubectl get pods -n a:b",
      scope: { kind: "command", glob: "kubectl get pods -n a:b" },
      canonical: "command:kubectl get pods -n a:b",
    },
  ])("every scope form: $raw", ({ raw, scope, canonical }) => {
    // Prepare: the case. Act
    const result = parseScope(raw);

    // Assess
    expect(result).toEqual({ ok: true, scope, canonical });
  });

  it.each([
    { raw: "tool_type:Bash", canonical: "tool:Bash" },
    { raw: "bash_pattern:git push *", canonical: "command:git push *" },
    { raw: "write_path:src/*.ts", canonical: "path:src/*.ts" },
  ])("the alias $raw in canonical form $canonical", ({ raw, canonical }) => {
    // Prepare: the case. Act
    const { canonical: stored } = parseAccepted(raw);

    // Assess
    expect(stored).toBe(canonical);
  });

  it("a tool name exactly as written, keeping its case and inner spaces", () => {
    // Prepare: the case. Act
    const { scope } = parseAccepted("tool: bash ");

    // Assess
    expect(scope).toEqual({ kind: "tool", tool: " bash" });
  });

  it("a rule among the soft rules of the policy version", () => {
    // Prepare: the case. Act
    const { scope } = parseAccepted("rule:write_env_file", SOFT_RULE_IDS);

    // Assess
    expect(scope).toEqual({ kind: "rule", ruleId: "write_env_file" });
  });

  it("a scope of exactly 256 characters", () => {
    // Prepare
    const raw = `command:${"x".repeat(248)}`;

    // Act
    const { canonical } = parseAccepted(raw);

    // Assess
    expect(canonical).toBe(raw);
  });
});

describe("parseScope refuses", () => {
  it.each([
    { why: "an empty scope", raw: "", says: [/empty/, /tool:Bash/] },
    { why: "a whitespace-only scope", raw: "  \t\n ", says: [/empty/] },
    { why: "a scope over 256 characters", raw: `command:${"x".repeat(249)}`, says: [/257/, /at most 256/] },
    {
      why: "an unknown prefix",
      raw: "shell:ls -la",
      says: [/unknown form/, /tool:<ToolName>/, /rule:<rule_id>/],
    },
    { why: "a bare word", raw: "Bash", says: [/unknown form/, /all_session/] },
    { why: "an upper-case prefix", raw: "Tool:Bash", says: [/lower case/, /"tool:Bash"/] },
    { why: "an upper-case keyword", raw: "ALL_SESSION", says: [/lower case/, /"all_session"/] },
    { why: "a value on this_call", raw: "this_call:x", says: [/take no value/] },
    { why: "a value on all_session", raw: "all_session:Bash", says: [/take no value/] },
    { why: "an empty tool", raw: "tool:", says: [/nothing after the colon/, /"tool:Bash"/] },
    { why: "an empty alias value", raw: "write_path:", says: [/nothing after the colon/, /"path:/] },
    { why: "an empty command glob", raw: "command:", says: [/nothing after the colon/] },
    { why: "an empty rule", raw: "rule:", says: [/nothing after the colon/] },
    { why: "an unknown tool group", raw: "tool_group:files", says: [/unknown tool group/, /file_write/] },
    { why: "a tool group in the wrong case", raw: "tool_group:FILE_WRITE", says: [/unknown tool group/] },
    { why: "a lone star command", raw: "command:*", says: [/too broad/, /"command:git push \*"/] },
    { why: "a double star path", raw: "path:**", says: [/too broad/, /"path:src\/\*"/] },
    { why: "a two-character glob", raw: "command:ls", says: [/too broad/] },
    { why: "a mostly-wildcard glob", raw: "bash_pattern:*?*x", says: [/too broad/] },
    {
      why: "a rule id with upper case",
      raw: "rule:Force_push",
      says: [/malformed rule id/, /rule:force_push/],
    },
    { why: "a one-character rule id", raw: "rule:f", says: [/malformed rule id/] },
    { why: "a rule id starting with a digit", raw: "rule:1force", says: [/malformed rule id/] },
    { why: "a rule id with a dash", raw: "rule:force-push", says: [/malformed rule id/] },
    { why: "a rule id over 64 characters", raw: `rule:a${"b".repeat(64)}`, says: [/malformed rule id/] },
  ])("$why", ({ raw, says }) => {
    // Prepare: the case. Act
    const message = parseRefused(raw);

    // Assess
    for (const pattern of says) {
      expect(message).toMatch(pattern);
    }
  });

  it("a rule that is not a soft rule of the policy version, listing a few valid ids", () => {
    // Prepare: the case. Act
    const message = parseRefused("rule:rm_rf_root", SOFT_RULE_IDS);

    // Assess
    expect(message).toMatch(/soft rule of the task's policy version/);
    expect(message).toMatch(/force_push/);
    expect(message).toMatch(/and 3 more/);
  });

  it("any rule when the policy version has no soft rules", () => {
    // Prepare: the case. Act
    const message = parseRefused("rule:force_push", new Set());

    // Assess
    expect(message).toMatch(/no soft rules/);
  });

  it("control characters by escaping them in the message", () => {
    // Prepare: the case. Act
    const message = parseRefused("shell:\u001b[31mred");

    // Assess
    expect(message).not.toContain("\u001b");
    expect(message).toContain("\\u001b");
  });
});

describe("formatScope", () => {
  it("round-trips every accepted scope through its canonical text", () => {
    // Prepare
    const unit = fc.constantFrom("a", "b", "/", " ", ":", "*", "?", "😀");
    const rawArb = fc.oneof(
      fc.constantFrom("this_call", "all_session", "tool_group:file_write", "rule:force_push"),
      fc.tuple(fc.constantFrom("tool:", "tool_type:"), fc.string({ unit, minLength: 1 })),
      fc.tuple(
        fc.constantFrom("command:", "bash_pattern:", "path:", "write_path:"),
        fc.string({ unit, minLength: 1, maxLength: 40 }),
      ),
    );

    // Act / Assess
    fc.assert(
      fc.property(rawArb, (arb) => {
        const raw = typeof arb === "string" ? arb : arb.join("");
        const result = parseScope(raw);
        fc.pre(result.ok);
        if (!result.ok) return;
        expect(formatScope(result.scope)).toBe(result.canonical);
        expect(parseScope(result.canonical)).toEqual(result);
      }),
    );
  });
});

describe("grantCoversCall", () => {
  const bash: GrantFacts = { toolName: "Bash", commands: ["git push origin main"] };
  const write: GrantFacts = { toolName: "Write", paths: ["src/app/main.ts"] };

  it.each<{ why: string; raw: string; call: GrantFacts; expected: boolean }>([
    { why: "this_call covers nothing later", raw: "this_call", call: bash, expected: false },
    { why: "all_session covers every call", raw: "all_session", call: bash, expected: true },
    { why: "tool covers that tool", raw: "tool:Bash", call: bash, expected: true },
    { why: "tool is case-sensitive", raw: "tool:bash", call: bash, expected: false },
    { why: "tool does not cover other tools", raw: "tool:Bash", call: write, expected: false },
    { why: "file_write covers Write", raw: "tool_group:file_write", call: write, expected: true },
    {
      why: "file_write covers NotebookEdit",
      raw: "tool_group:file_write",
      call: { toolName: "NotebookEdit", paths: ["a.ipynb"] },
      expected: true,
    },
    { why: "file_write does not cover Bash", raw: "tool_group:file_write", call: bash, expected: false },
    { why: "command covers a matching command", raw: "command:git push *", call: bash, expected: true },
    {
      why: "command does not cover another command",
      raw: "command:git push *",
      call: { toolName: "Bash", commands: ["git pull"] },
      expected: false,
    },
    {
      why: "command covers a call only when every simple command matches",
      raw: "command:git push *",
      call: { toolName: "Bash", commands: ["git push origin feature", "npm publish"] },
      expected: false,
    },
    {
      why: "command covers a call of several commands that all match",
      raw: "command:git push *",
      call: { toolName: "Bash", commands: ["git push origin a", "git push origin b"] },
      expected: true,
    },
    {
      why: "command does not cover a command that could not be read",
      raw: "command:git push *",
      call: { toolName: "Bash" },
      expected: false,
    },
    {
      why: "command does not cover a call without a command",
      raw: "command:git push *",
      call: write,
      expected: false,
    },
    { why: "path covers a matching path", raw: "path:src/*", call: write, expected: true },
    {
      why: "path does not cover another path",
      raw: "path:src/*",
      call: { toolName: "Edit", paths: ["test/a.ts"] },
      expected: false,
    },
    {
      why: "path covers a call only when every written path matches",
      raw: "path:src/*",
      call: { toolName: "Bash", paths: ["src/a.ts", ".env"] },
      expected: false,
    },
    { why: "path does not cover a call without a path", raw: "path:src/*", call: bash, expected: false },
    { why: "rule is left to the soft tier", raw: "rule:force_push", call: bash, expected: false },
  ])("$why", ({ raw, call, expected }) => {
    // Prepare
    const { scope } = parseAccepted(raw);

    // Act
    const covered = grantCoversCall(scope, call);

    // Assess
    expect(covered).toBe(expected);
  });

  it("file_write names exactly the four writing tools", () => {
    // Prepare: nothing. Act
    const tools = [...FILE_WRITE_TOOLS].sort();

    // Assess
    expect(tools).toEqual(["Edit", "MultiEdit", "NotebookEdit", "Write"]);
  });
});

describe("pathGlobMatches", () => {
  it.each([
    ["src/*", "src/a/b.ts", true],
    ["./src/*", "src/a.ts", true],
    ["src/*", "../home/u/.aws/credentials", false],
    ["*/.env", "../../x/.env", false],
    ["*.env", "../.env", false],
    ["../shared/*", "../shared/x", true],
    ["/home/u/proj/*", "~/proj/src/a.ts", true],
    ["/*", "/etc/passwd", true],
    ["config/.env", "config/.env", true],
  ])("%s against %s is %s", (glob, path, expected) => {
    expect(pathGlobMatches(glob, path)).toBe(expected);
  });
});

describe("ruleGrants", () => {
  it("collects the rule ids of rule: grants only", () => {
    // Prepare
    const scopes: Scope[] = [
      { kind: "rule", ruleId: "force_push" },
      { kind: "tool", tool: "Bash" },
      { kind: "all_session" },
      { kind: "rule", ruleId: "write_env_file" },
      { kind: "rule", ruleId: "force_push" },
    ];

    // Act
    const ruleIds = ruleGrants(scopes);

    // Assess
    expect([...ruleIds].sort()).toEqual(["force_push", "write_env_file"]);
  });

  it("is empty when there are no rule: grants", () => {
    // Prepare: nothing. Act
    const ruleIds = ruleGrants([{ kind: "tool_group", group: "file_write" }]);

    // Assess
    expect(ruleIds.size).toBe(0);
  });
});
