import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { CedarPolicyEngine, prepareBuiltins } from "../../lambdas/adapters/cedar/cedar-engine";
import type { CedarRequest } from "../../lambdas/core/policy/cedar-request";
import type { ShellParser } from "../../lambdas/core/shell/syntax";
import { BUILTIN_POLICY_TEXTS } from "../../lambdas/policies/builtin";
import { bashParser, requestsFor } from "../support/shell-parser";

const TASK = { agent_id: "agent-1", repo: "acme/app", owner: "alice", read_only: false };
let parser: ShellParser;
beforeAll(async () => {
  parser = await bashParser();
});
/** The one request of a command that runs one simple command. */
const bash = (command: string): CedarRequest => {
  const [request] = requestsFor(parser, TASK, { tool_name: "Bash", tool_input: { command } });
  if (!request) throw new Error("no request");
  return request;
};
const soft = (id: string, extra = "") =>
  `@rule_id("${id}")\n@tier("soft")\n${extra}forbid (principal, action, resource);\n`;

function compileOk(engine: CedarPolicyEngine, source: Parameters<CedarPolicyEngine["compile"]>[0] = {}) {
  const result = engine.compile(source);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result;
}

function diagnosticsOf(engine: CedarPolicyEngine, source: Parameters<CedarPolicyEngine["compile"]>[0]) {
  const result = engine.compile(source);
  if (result.ok) throw new Error("expected the policy text to be rejected");
  return result.diagnostics;
}

describe("CedarPolicyEngine", () => {
  it("loads the built-ins with every rule id of the contract and their tiers", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS));
    const tiers = Object.fromEntries(policySet.rules.map((r) => [r.rule_id, r.tier]));
    expect(tiers).toEqual({
      rm_rf_root: "hard",
      write_git_internals: "hard",
      write_gate_config: "hard",
      act_as_approver: "hard",
      drop_database: "hard",
      pipe_to_shell: "hard",
      read_only_write: "hard",
      force_push: "soft",
      force_push_protected: "soft",
      push_protected_branch: "soft",
      write_env_file: "soft",
      write_credentials: "soft",
      write_secret_store: "soft",
      terraform_apply: "soft",
      kubectl_delete: "soft",
      package_publish: "soft",
      unparsed_command: "soft",
      unresolved_command: "soft",
    });
  });

  it("gives every built-in soft rule the severity and timeout of the contract", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS));
    const softRules = policySet.rules.filter((r) => r.tier === "soft");
    expect(Object.fromEntries(softRules.map((r) => [r.rule_id, [r.severity, r.approval_timeout_s]]))).toEqual(
      {
        force_push: ["medium", 300],
        force_push_protected: ["high", 600],
        push_protected_branch: ["medium", 300],
        write_env_file: ["high", 600],
        write_credentials: ["high", 300],
        write_secret_store: ["high", 300],
        terraform_apply: ["high", 600],
        kubectl_delete: ["high", 300],
        package_publish: ["critical", 600],
        unparsed_command: ["high", 300],
        unresolved_command: ["high", 300],
      },
    );
  });

  it("preparses a version once and never parses policy text while deciding", () => {
    const preparse = jest.fn(cedar.preparsePolicySet);
    const parse = jest.fn(cedar.policySetTextToParts);
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS, {
      ...cedar,
      preparsePolicySet: preparse,
      policySetTextToParts: parse,
    });
    const first = compileOk(engine, { custom: soft("my_rule") });
    const second = compileOk(engine, { custom: soft("my_rule") });
    const parsesAfterCompile = parse.mock.calls.length;

    for (let i = 0; i < 10; i++) first.policySet.match(bash("ls"));

    expect(second.policySet).toBe(first.policySet);
    expect(preparse).toHaveBeenCalledTimes(1);
    expect(preparse.mock.calls[0]?.[0]).toBe(first.policySet.id);
    expect(parse.mock.calls.length).toBe(parsesAfterCompile);
  });

  it("starts from prepared built-ins without parsing them, and compiles the same rules", () => {
    // Prepare
    const prepared = prepareBuiltins(BUILTIN_POLICY_TEXTS);
    const parse = jest.fn(cedar.policySetTextToParts);
    const toJson = jest.fn(cedar.policyToJson);
    const engine = new CedarPolicyEngine(
      BUILTIN_POLICY_TEXTS,
      { ...cedar, policySetTextToParts: parse, policyToJson: toJson },
      prepared,
    );

    // Act
    const fromPrepared = compileOk(engine);
    const parsed = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS));

    // Assess
    expect(parse).not.toHaveBeenCalled();
    expect(toJson).not.toHaveBeenCalled();
    expect(fromPrepared.policySet.rules).toEqual(parsed.policySet.rules);
    expect(fromPrepared.policySet.match(bash("git push --force origin main"))).toEqual(
      parsed.policySet.match(bash("git push --force origin main")),
    );
    // Places in the files travel, never a second copy of a policy's text.
    expect(JSON.stringify(prepared)).not.toContain("principal");
  });

  it("ignores prepared built-ins made from other texts, and parses the ones it was given", () => {
    // Prepare
    const stale = prepareBuiltins([soft("old_rule")]);
    const parse = jest.fn(cedar.policySetTextToParts);
    const engine = new CedarPolicyEngine(
      BUILTIN_POLICY_TEXTS,
      { ...cedar, policySetTextToParts: parse },
      stale,
    );

    // Act
    const { policySet } = compileOk(engine);

    // Assess
    expect(parse).toHaveBeenCalledTimes(BUILTIN_POLICY_TEXTS.length);
    expect(policySet.rules.map((r) => r.rule_id)).not.toContain("old_rule");
    expect(policySet.rule("force_push")).toBeDefined();
  });

  it("parses the built-ins once per engine, however many custom sets it compiles", () => {
    // Prepare
    const parse = jest.fn(cedar.policySetTextToParts);
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS, { ...cedar, policySetTextToParts: parse });

    // Act
    compileOk(engine);
    compileOk(engine, { custom: soft("rule_a") });
    compileOk(engine, { custom: soft("rule_b") });

    // Assess: the built-in files once, then one custom text each.
    expect(parse).toHaveBeenCalledTimes(BUILTIN_POLICY_TEXTS.length + 2);
  });

  it("keys versions by content: other text or another disable list is another set", () => {
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const ids = [
      compileOk(engine).policySet.id,
      compileOk(engine, { custom: soft("my_rule") }).policySet.id,
      compileOk(engine, { disable: ["force_push"] }).policySet.id,
    ];
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not match a disabled soft rule", () => {
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const { policySet } = compileOk(engine, { disable: ["force_push"] });
    expect(policySet.match(bash("git push --force origin feature"))).toEqual({
      ok: true,
      matched: [],
      errors: [],
    });
    expect(policySet.disabled).toEqual(["force_push"]);
  });

  it("reports a Cedar call that throws as a failure instead of throwing", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS));
    const request = { ...bash("ls"), context: { tool: "Bash", bad: "\ud800" } };
    expect(policySet.match(request)).toMatchObject({ ok: false });
  });

  it("reports an erroring rule by its rule id", () => {
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const { policySet } = compileOk(engine, {
      custom: `@rule_id("needs_env")\n@tier("hard")\nforbid (principal, action, resource) when { context.input.env == "prod" };`,
    });
    const match = policySet.match(bash("ls"));
    expect(match).toMatchObject({ ok: true, matched: [], errors: [{ rule_id: "needs_env" }] });
  });

  it("returns every problem of a text at once, each with its rule id when known", () => {
    const text = [
      `@rule_id("Bad") forbid (principal, action, resource);`,
      `@rule_id("x1") @tier("soft") @severity("huge") @approval_timeout_s("5") forbid (principal, action, resource);`,
      `@rule_id("h1") @tier("hard") @severity("high") @approval_timeout_s("60") forbid (principal, action, resource);`,
      `@rule_id("ok_rule") @tier("soft") @owner("me") forbid (principal, action, resource);`,
      `permit (principal, action, resource);`,
      `@rule_id("force_push") @tier("hard") forbid (principal, action, resource);`,
      soft("twice"),
      soft("twice"),
    ].join("\n");
    const diagnostics = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      custom: text,
      disable: ["rm_rf_root", "nope", "twice", "kubectl_delete", "kubectl_delete"],
    });
    const messages = diagnostics.map((d) => `${d.rule_id ?? "-"}: ${d.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^-: policy 1 \(line 1\) has @rule_id\("Bad"\)/),
      expect.stringMatching(/^-: policy 1 \(line 1\) has no @tier/),
      expect.stringMatching(/^x1: .*@severity\("huge"\)/),
      expect.stringMatching(/^x1: .*@approval_timeout_s\("5"\)/),
      expect.stringMatching(/^h1: .*hard and has @severity/),
      expect.stringMatching(/^h1: .*hard and has @approval_timeout_s/),
      expect.stringMatching(/^ok_rule: .*unknown annotation @owner/),
      expect.stringMatching(/^-: policy 5 \(line 5\) is a permit/),
      expect.stringMatching(/^-: policy 5 .*no @rule_id/),
      expect.stringMatching(/^-: policy 5 .*no @tier/),
      expect.stringMatching(/^force_push: .*already used by a built-in rule/),
      expect.stringMatching(/^twice: .*already used by another rule in this text/),
      expect.stringMatching(/^rm_rf_root: .*a hard rule; hard rules cannot be disabled/),
      expect.stringMatching(/^nope: .*not a rule/),
      expect.stringMatching(/^twice: .*remove the rule from the text instead/),
      expect.stringMatching(/^kubectl_delete: .*listed twice/),
    ]);
  });

  it("locates a parse error by line and column", () => {
    const diagnostics = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      custom: `${soft("fine")}forbid (principal, action`,
    });
    expect(diagnostics).toEqual([{ message: expect.stringMatching(/^policy text: line 4, column \d+/) }]);
  });

  it("refuses templates", () => {
    const diagnostics = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      custom: `@rule_id("t1") @tier("soft") forbid (principal == ?principal, action, resource);`,
    });
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining("template")]);
  });

  it("refuses a text over 64 KiB", () => {
    const custom = `${soft("big")}// ${"x".repeat(64 * 1024)}`;
    const diagnostics = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), { custom });
    expect(diagnostics).toEqual([{ message: expect.stringContaining("over 64 KiB") }]);
  });

  it("warns, without refusing, when a custom rule reads an attribute the schema does not declare", () => {
    const result = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      custom: `@rule_id("prod_env") @tier("soft") forbid (principal, action, resource) when { context.input.env == "prod" };`,
    });
    expect(result.warnings).toEqual([expect.stringMatching(/^prod_env: .*input\.env/)]);
  });

  it("gives no warnings for the built-ins alone", () => {
    expect(compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS)).warnings).toEqual([]);
  });
});

describe("CedarPolicyEngine transient sets", () => {
  it("keeps dry-run candidates in a few reused slots, never in the cache", () => {
    const preparse = jest.fn(cedar.preparsePolicySet);
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS, { ...cedar, preparsePolicySet: preparse });
    for (let i = 0; i < 10; i++) {
      const r = engine.compile({ custom: soft(`candidate_${i}`) }, { transient: true });
      expect(r.ok).toBe(true);
    }
    const ids = new Set(preparse.mock.calls.map((c) => c[0]));
    expect([...ids].sort()).toEqual(["transient-0", "transient-1", "transient-2", "transient-3"]);
  });

  it("fails closed when a candidate's slot was reused by a later candidate", () => {
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const first = engine.compile({ custom: soft("first_candidate") }, { transient: true });
    for (let i = 0; i < 4; i++) engine.compile({ custom: soft(`later_${i}`) }, { transient: true });
    if (!first.ok) throw new Error("expected the first candidate to compile");
    expect(first.policySet.match(bash("ls"))).toMatchObject({ ok: false });
  });

  it("evaluates a fresh candidate against its own rules", () => {
    const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
    const r = engine.compile({ custom: soft("ask_always") }, { transient: true });
    if (!r.ok) throw new Error("expected the candidate to compile");
    expect(r.policySet.match(bash("ls"))).toEqual({ ok: true, matched: ["ask_always"], errors: [] });
  });
});

describe("CedarPolicyEngine quorum annotations", () => {
  it("reads @approvals_required and a bare @approver_not_owner on soft rules", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      custom: soft("two_person", '@approvals_required("2")\n@approver_not_owner\n'),
    });
    expect(policySet.rule("two_person")).toMatchObject({ approvals_required: 2, approver_not_owner: true });
  });

  it("refuses them on hard rules and with values that mean nothing", () => {
    const text = [
      `@rule_id("h2") @tier("hard") @approvals_required("2") @approver_not_owner forbid (principal, action, resource);`,
      soft("zero", '@approvals_required("0")\n'),
      soft("eleven", '@approvals_required("11")\n'),
      soft("falsy", '@approver_not_owner("false")\n'),
    ].join("\n");
    const messages = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), { custom: text }).map(
      (d) => `${d.rule_id}: ${d.message}`,
    );
    expect(messages).toEqual([
      expect.stringMatching(/^h2: .*hard and has @approvals_required/),
      expect.stringMatching(/^h2: .*hard and has @approver_not_owner/),
      expect.stringMatching(/^zero: .*from 1 to 10/),
      expect.stringMatching(/^eleven: .*from 1 to 10/),
      expect.stringMatching(/^falsy: .*write it bare/),
    ]);
  });
});

describe("CedarPolicyEngine layers", () => {
  const hard = (id: string, pattern: string) =>
    `@rule_id("${id}")\n@tier("hard")\nforbid (principal, action, resource) when { context has command && context.command like "${pattern}" };\n`;
  const global = { layer: "*", custom: hard("no_release", "*make release*"), disable: [] };

  it("judges a repo by every wider layer's rules too, each rule labelled with its layer", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      layer: "acme/app",
      custom: soft("deploy"),
      wider: [global, { layer: "acme/*", custom: hard("no_prod", "*prod*"), disable: [] }],
    });
    expect(policySet.match(bash("make release"))).toMatchObject({
      ok: true,
      matched: ["no_release", "deploy"],
    });
    expect(policySet.match(bash("deploy prod"))).toMatchObject({ ok: true, matched: ["no_prod", "deploy"] });
    expect(policySet.rules.filter((r) => r.source === "custom").map((r) => [r.rule_id, r.layer])).toEqual([
      ["no_release", "*"],
      ["no_prod", "acme/*"],
      ["deploy", "acme/app"],
    ]);
  });

  it("refuses a layer that disables, or reuses the id of, a rule of a wider one", () => {
    const diagnostics = diagnosticsOf(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      layer: "acme/app",
      custom: hard("no_release", "*release*"),
      disable: ["no_release"],
      wider: [global],
    });
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("already used by a rule of the wider layer *"),
      expect.stringContaining("a rule of the wider layer *; a layer may not disable a rule of a wider one"),
    ]);
  });

  it("keeps a soft built-in a wider layer disabled disabled below it", () => {
    const { policySet } = compileOk(new CedarPolicyEngine(BUILTIN_POLICY_TEXTS), {
      layer: "acme/app",
      custom: "",
      wider: [{ layer: "*", custom: "", disable: ["force_push"] }],
    });
    expect(policySet.disabled).toEqual(["force_push"]);
    expect(policySet.rule("force_push")).toBeUndefined();
  });
});
