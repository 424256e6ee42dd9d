import type { RepoSettings } from "../../contracts/governance";
import {
  admitTask,
  agentsNameApprovers,
  DEFAULT_SETTINGS,
  normalizeSettings,
  type RegistrationRequest,
  type ResolvedSettings,
  SETTINGS_FIELD_DEFAULTS,
} from "../../lambdas/core/governance/settings";

const REPO = { layer: "acme/app", version: 3 };
const settings = (overrides: Partial<RepoSettings> = {}): ResolvedSettings => ({
  source: REPO,
  settings: { ...SETTINGS_FIELD_DEFAULTS, approvers: { users: ["bob", "carol"], groups: [] }, ...overrides },
});
const request = (overrides: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  agentId: "arn:aws:sts::123456789012:assumed-role/ci/run-1",
  owner: "alice",
  initialGrants: [],
  ...overrides,
});

describe("normalizeSettings", () => {
  it("fills every absent field with its strict default", () => {
    const result = normalizeSettings({ approvers: { users: ["bob"] } });
    expect(result).toEqual({
      ok: true,
      warnings: [],
      settings: {
        approvers: { users: ["bob"], groups: [] },
        allowed_owners: ["*"],
        owner_approves: false,
        pre_grantable_scopes: [],
        allowed_agents: ["*"],
        approval_timeout_s: { default: 300, max: 3600 },
        approvals_required: 1,
      },
    });
  });

  it("stores scopes canonical and lists without repeats", () => {
    const result = normalizeSettings({
      approvers: { users: ["bob", "bob"], groups: ["ops", "ops"] },
      pre_grantable_scopes: ["tool_type:Read", "tool:Read", " command:npm test * "],
    });
    expect(result.ok && result.settings).toMatchObject({
      approvers: { users: ["bob"], groups: ["ops"] },
      pre_grantable_scopes: ["tool:Read", "command:npm test *"],
    });
  });

  it("lists every problem at once, each with its field", () => {
    const result = normalizeSettings({
      approvers: { users: ["bob"] },
      pre_grantable_scopes: ["this_call", "tool:", "command:*"],
      approval_timeout_s: { default: 900, max: 600 },
      approvals_required: 3,
      allowed_owners: [],
      allowed_agents: [],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field)).toEqual([
      "pre_grantable_scopes[0]",
      "pre_grantable_scopes[1]",
      "pre_grantable_scopes[2]",
      "approval_timeout_s.default",
      "approvals_required",
      "allowed_owners",
      "allowed_agents",
    ]);
    expect(result.problems.every((p) => p.message.length > 20)).toBe(true);
  });

  it("lowers the default timeout under a lower maximum instead of refusing it", () => {
    const result = normalizeSettings({ approvers: { users: ["bob"] }, approval_timeout_s: { max: 120 } });
    expect(result.ok && result.settings.approval_timeout_s).toEqual({ default: 120, max: 120 });
  });

  it("counts a group as enough approvers for any quorum", () => {
    expect(normalizeSettings({ approvers: { groups: ["release"] }, approvals_required: 5 }).ok).toBe(true);
  });

  it.each([
    [{}, "nobody can approve"],
    [{ owner_approves: true }, "an agent can name anyone"],
    [{ approvers: { users: ["bob"] }, pre_grantable_scopes: ["all_session"] }, "skip every soft rule"],
  ])("warns about %j", (body, warning) => {
    const result = normalizeSettings(body);
    expect(result.ok && result.warnings.join(" ")).toContain(warning);
  });
});

describe("the deployment defaults", () => {
  it("lets agents name approvers only in local mode, which doctor warns about", () => {
    expect(agentsNameApprovers(DEFAULT_SETTINGS.local)).toBe(true);
    expect(agentsNameApprovers(DEFAULT_SETTINGS.strict)).toBe(false);
    expect(DEFAULT_SETTINGS.strict.approvers.groups).toEqual(["gates-approvers"]);
  });
});

describe("admitTask", () => {
  it("takes the approvers from the settings, never from the agent", () => {
    const result = admitTask(settings(), request());
    expect(result).toEqual({
      ok: true,
      admission: {
        approvers: ["bob", "carol"],
        approverGroups: [],
        grants: [],
        approvalTimeoutS: 300,
        approvalsRequired: 1,
      },
    });
  });

  it("puts the owner first when the settings let the owner approve, once", () => {
    const result = admitTask(settings({ owner_approves: true }), request({ owner: "carol" }));
    expect(result.ok && result.admission.approvers).toEqual(["carol", "bob"]);
  });

  it("accepts approvers the agent names only when the settings already list them, and changes nothing", () => {
    const result = admitTask(settings(), request({ approvers: ["carol"] }));
    expect(result.ok && result.admission.approvers).toEqual(["bob", "carol"]);
  });

  type Case = [string, Partial<RepoSettings>, Partial<RegistrationRequest>, string, string];
  it.each<Case>([
    ["a confederate as approver", {}, { approvers: ["mallory"] }, "approvers[0]", "approvers"],
    [
      "itself as owner and approver",
      { owner_approves: true },
      { owner: "mallory", approvers: ["mallory"] },
      "approvers[0]",
      "approvers",
    ],
    ["an owner not allowed", { allowed_owners: ["alice"] }, { owner: "mallory" }, "owner", "allowed_owners"],
    [
      "a pre-grant not allowed",
      {},
      { initialGrants: [{ field: "initial_grants[0]", scope: "all_session" }] },
      "initial_grants[0]",
      "pre_grantable_scopes",
    ],
    [
      "an agent not allowed",
      { allowed_agents: ["arn:aws:sts::123456789012:assumed-role/deploy/*"] },
      {},
      "agent",
      "allowed_agents",
    ],
    [
      "a timeout over the maximum",
      { approval_timeout_s: { default: 300, max: 600 } },
      { approvalTimeoutS: 900 },
      "approval_timeout_s",
      "approval_timeout_s.max",
    ],
    ["a task nobody could approve", { approvers: { users: [], groups: [] } }, {}, "owner", "approvers"],
  ])("refuses %s, naming the field and the setting", (_name, overrides, asked, field, setting) => {
    const result = admitTask(settings(overrides), request(asked));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusals).toEqual([expect.objectContaining({ field, setting })]);
    expect(result.refusals[0]?.message).toContain("acme/app (version 3)");
  });

  it("reports every refusal of one registration", () => {
    const result = admitTask(
      settings({ allowed_owners: ["alice"] }),
      request({
        owner: "mallory",
        approvers: ["mallory"],
        initialGrants: [{ field: "initial_grants[0]", scope: "tool:Bash" }],
      }),
    );
    expect(result.ok ? [] : result.refusals.map((r) => r.setting)).toEqual([
      "allowed_owners",
      "approvers",
      "pre_grantable_scopes",
    ]);
  });

  it("allows listed pre-grants, agents matching a glob, and approver groups", () => {
    const result = admitTask(
      settings({
        approvers: { users: [], groups: ["release"] },
        pre_grantable_scopes: ["tool:Read"],
        allowed_agents: ["arn:aws:sts::123456789012:assumed-role/ci/*"],
        approvals_required: 2,
      }),
      request({ initialGrants: [{ field: "initial_grants[0]", scope: "tool:Read" }], approvalTimeoutS: 60 }),
    );
    expect(result).toEqual({
      ok: true,
      admission: {
        approvers: [],
        approverGroups: ["release"],
        grants: ["tool:Read"],
        approvalTimeoutS: 60,
        approvalsRequired: 2,
      },
    });
  });

  it("names the deployment default when no settings were published", () => {
    const result = admitTask(
      { source: { layer: "default", version: 0 }, settings: DEFAULT_SETTINGS.local },
      request({ approvers: ["bob"] }),
    );
    expect(result.ok ? "" : result.refusals[0]?.message).toContain("the deployment's default settings");
  });
});
