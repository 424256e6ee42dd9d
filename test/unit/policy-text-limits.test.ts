import { CedarPolicyEngine } from "../../lambdas/adapters/cedar/cedar-engine";
import { POLICY_TEXT_LIMITS, policyTextProblem } from "../../lambdas/core/policy-text-limits";
import { BUILTIN_POLICY_TEXTS } from "../../lambdas/policies/builtin";
import { requestsFor, wordSplittingParser } from "../support/shell-parser";

const rule = (condition: string, id = "deep") =>
  `@rule_id("${id}")\n@tier("hard")\nforbid (principal, action, resource)\nwhen { ${condition} };\n`;
const nested = (levels: number) => `${"(".repeat(levels)}true${")".repeat(levels)}`;
const chain = (terms: number) => Array(terms).fill("context has a").join(" && ");
const conditionals = (count: number) => `${"if true then ".repeat(count)}true${" else false".repeat(count)}`;

describe("policyTextProblem", () => {
  it.each(BUILTIN_POLICY_TEXTS.map((text, i) => [i, text] as const))(
    "accepts built-in text %i",
    (_i, text) => {
      // Act
      const problem = policyTextProblem(text);

      // Assess
      expect(problem).toBeUndefined();
    },
  );

  it.each([
    ["brackets at the limit", rule(nested(POLICY_TEXT_LIMITS.maxBracketDepth - 1))],
    ["operators at the limit", rule(chain(POLICY_TEXT_LIMITS.maxOperators / 2))],
    ["conditionals at the limit", rule(conditionals(POLICY_TEXT_LIMITS.maxConditionals))],
    [
      "brackets, quotes and operators inside strings",
      rule(`context.command like "${"((&&[".repeat(500)}\\"*"`),
    ],
    ["brackets in comments", `// ${"(".repeat(500)}\n${rule("true")}`],
    ["many small policies", Array.from({ length: 100 }, (_, i) => rule(chain(20), `r${i}`)).join("")],
  ])("accepts %s", (_what, text) => {
    // Act
    const problem = policyTextProblem(text);

    // Assess
    expect(problem).toBeUndefined();
  });

  it.each([
    ["brackets", rule(nested(POLICY_TEXT_LIMITS.maxBracketDepth)), "nests brackets more than 32 levels deep"],
    ["sets and records", rule(`${"[{a: ".repeat(17)}1${"}]".repeat(17)} == []`), "nests brackets"],
    ["a chain of operators", rule(chain(POLICY_TEXT_LIMITS.maxOperators)), "more than 1000 operators"],
    ["conditionals", rule(conditionals(POLICY_TEXT_LIMITS.maxConditionals + 1)), "if-then-else"],
    ["what a caller sent to break Cedar", rule(nested(200_000)), "nests brackets"],
  ])("refuses %s past the limit, naming the policy", (_what, text, message) => {
    // Act
    const problem = policyTextProblem(`${rule("true", "first")}${text}`);

    // Assess
    expect(problem).toContain("policy 2 (line 5)");
    expect(problem).toContain(message);
  });
});

describe("CedarPolicyEngine given text past the limits", () => {
  it("refuses it with a diagnostic and keeps judging calls, where Cedar itself would break for good", () => {
    // Prepare: 200 brackets, which cedar-wasm's parser cannot survive.
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const [request] = requestsFor(
      wordSplittingParser,
      { agent_id: "agent-1", repo: "acme/app", owner: "alice", read_only: false },
      { tool_name: "Bash", tool_input: { command: "rm -rf /" } },
    );

    // Act
    const refused = engine.compile({ custom: rule(nested(200)) }, { transient: true });
    const after = engine.compile(
      { custom: rule("context has command_lower", "still_works") },
      { transient: true },
    );

    // Assess
    expect(refused).toMatchObject({
      ok: false,
      diagnostics: [{ message: expect.stringContaining("nests brackets") }],
    });
    expect(after.ok).toBe(true);
    if (after.ok && request) expect(after.policySet.match(request)).toMatchObject({ ok: true });
    expect(request).toBeDefined();
  });
});
