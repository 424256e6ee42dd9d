import { CedarPolicyEngine } from "../../lambdas/adapters/cedar/cedar-engine";
import { TRANSACT_MAX_ITEMS } from "../../lambdas/adapters/dynamo/task-store";
import { inputSha256 } from "../../lambdas/core/hashing";
import { decideToolCall } from "../../lambdas/core/policy/evaluate";
import type { ShellParser } from "../../lambdas/core/shell/syntax";
import { BUILTIN_POLICY_TEXTS } from "../../lambdas/policies/builtin";
import { fixtureTask, loadPolicyFixtures } from "../support/policy-fixtures";
import { bashParser } from "../support/shell-parser";

const fixtures = loadPolicyFixtures();
const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
let shell: ShellParser;
beforeAll(async () => {
  shell = await bashParser();
});
/** Every rule the engine loads from the built-in files; the contract's ids are pinned in cedar-engine.test.ts. */
function builtinRuleIds(): string[] {
  const compiled = engine.compile();
  if (!compiled.ok)
    throw new Error(`built-in policies did not load: ${JSON.stringify(compiled.diagnostics)}`);
  return compiled.policySet.rules.map((r) => r.rule_id);
}

describe("golden policy fixtures", () => {
  it("has at least 40 cases", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it("hits every built-in rule at least once", () => {
    const hit = new Set(fixtures.flatMap(({ fixture }) => fixture.expected.rule_ids));
    const ids = builtinRuleIds();
    expect(ids).toHaveLength(18);
    expect(ids.filter((id) => !hit.has(id))).toEqual([]);
  });

  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))("%s", (_file, fixture) => {
    const compiled = engine.compile(fixture.policies ? { custom: fixture.policies } : {});
    if (!compiled.ok) throw new Error(`fixture policies rejected: ${JSON.stringify(compiled.diagnostics)}`);
    const call = { tool_name: fixture.tool_name, tool_input: fixture.tool_input };

    const result = decideToolCall({
      task: fixtureTask(fixture),
      call,
      inputSha256: inputSha256(fixture.tool_input),
      policies: compiled.policySet,
      shell,
      locks: [],
      now: new Date("2026-11-22T12:00:00.000Z"),
      // The deployed store's limit, so the pending cap is judged as in production.
      maxItemsPerChange: TRANSACT_MAX_ITEMS,
    });

    const { decision, source, rule_ids } = result;
    const severity =
      result.decision === "REQUIRE_APPROVAL"
        ? { severity: result.severity, timeout_s: result.timeout_s }
        : {};
    expect({ decision, source, rule_ids, ...severity }).toEqual(fixture.expected);
  });
});
