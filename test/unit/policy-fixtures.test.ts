import { CedarPolicyEngine } from "../../lambdas/adapters/cedar/cedar-engine";
import { inputSha256 } from "../../lambdas/core/hashing";
import { evaluateToolCall } from "../../lambdas/core/policy/evaluate";
import { BUILTIN_POLICY_TEXTS } from "../../lambdas/policies/builtin";
import { fixtureTask, loadPolicyFixtures } from "../support/policy-fixtures";

const fixtures = loadPolicyFixtures();
const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
const BUILTIN_RULE_IDS = [
  "rm_rf_root",
  "write_git_internals",
  "drop_database",
  "pipe_to_shell",
  "read_only_write",
  "force_push",
  "force_push_protected",
  "push_protected_branch",
  "write_env_file",
  "write_credentials",
  "terraform_apply",
  "kubectl_delete",
  "package_publish",
];

describe("golden policy fixtures", () => {
  it("has at least 40 cases", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it("hits every built-in rule at least once", () => {
    const hit = new Set(fixtures.flatMap(({ fixture }) => fixture.expected.rule_ids));
    expect(BUILTIN_RULE_IDS.filter((id) => !hit.has(id))).toEqual([]);
  });

  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))("%s", (_file, fixture) => {
    const compiled = engine.compile(fixture.policies ? { custom: fixture.policies } : {});
    if (!compiled.ok) throw new Error(`fixture policies rejected: ${JSON.stringify(compiled.diagnostics)}`);
    const call = { tool_name: fixture.tool_name, tool_input: fixture.tool_input };

    const result = evaluateToolCall({
      task: fixtureTask(fixture),
      call,
      inputSha256: inputSha256(fixture.tool_input),
      policies: compiled.policySet,
      now: new Date("2026-11-22T12:00:00.000Z"),
    });

    const { decision, source, rule_ids } = result;
    const severity =
      result.decision === "REQUIRE_APPROVAL"
        ? { severity: result.severity, timeout_s: result.timeout_s }
        : {};
    expect({ decision, source, rule_ids, ...severity }).toEqual(fixture.expected);
  });
});
