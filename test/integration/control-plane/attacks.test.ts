import type { LedgerEvent } from "../../../lambdas/core/ledger";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER, STRANGER } from "../../support/gates-client";
import { gates } from "../cli/run-cli";

/**
 * The attacks a hostile agent tried against `npm start` before repo settings existed. Each must now be
 * refused or come to nothing, on the local default, under the deployed (strict) default, and under
 * settings an admin published.
 */

interface Refusal {
  error: { code: string; message: string; details: { refusals: { field: string; setting: string }[] } };
}

const PUSH = { tool_name: "Bash", tool_input: { command: "git push --force origin main" } };
const PUBLISH = { tool_name: "Bash", tool_input: { command: "npm publish" } };

describe("an agent naming its own approvers", () => {
  let local: Harness;
  let strict: Harness;
  beforeAll(async () => {
    [local, strict] = await Promise.all([
      startHarness({ settings: false }),
      startHarness({ settings: false, defaultSettings: "strict" }),
    ]);
  });
  afterAll(() => Promise.all([local.stop(), strict.stop()]));

  it("is refused on the local default, naming the approvers setting", async () => {
    const reply = await local.client
      .as(AGENT)
      .post<Refusal>("/v1/tasks", { owner: "mallory", approvers: ["mallory"], repo: "acme/app" });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe("FORBIDDEN_BY_SETTINGS");
    expect(reply.body.error.details.refusals).toEqual([
      expect.objectContaining({ field: "approvers[0]", setting: "approvers" }),
    ]);
    expect(reply.body.error.message).toContain("agents cannot choose who approves");
  });

  it("is refused for a made-up confederate beside a real owner", async () => {
    const reply = await local.client.as(AGENT).post<Refusal>("/v1/tasks", {
      owner: "alice",
      approvers: ["alice", "confederate-42"],
      repo: "acme/app",
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error.details.refusals.map((r) => r.field)).toEqual(["approvers[0]", "approvers[1]"]);
  });

  it("is refused under settings that list the owners an agent may name", async () => {
    await local.client
      .as(ADMIN)
      .put("/v1/repos/strict%2Fsvc/settings", { approvers: { users: ["bob"] }, allowed_owners: ["alice"] });
    const reply = await local.client
      .as(AGENT)
      .post<Refusal>("/v1/tasks", { owner: "mallory", repo: "strict/svc" });
    expect(reply.status).toBe(403);
    expect(reply.body.error.details.refusals).toEqual([
      expect.objectContaining({ field: "owner", setting: "allowed_owners" }),
    ]);
  });

  it("comes to nothing under the deployed default: the named owner cannot approve", async () => {
    // Prepare: the agent names its confederate as owner, which the strict default allows
    const created = await strict.client
      .as(AGENT)
      .post<{ task_id: string; approvers: string[]; approver_groups: string[] }>("/v1/tasks", {
        owner: "mallory",
        repo: "acme/app",
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ approvers: [], approver_groups: ["gates-approvers"] });
    const asked = await strict.client
      .as(AGENT)
      .post<{ request_id: string }>(`/v1/tasks/${created.body.task_id}/tool-calls`, PUSH);

    // Act
    const byOwner = await strict.client
      .as(STRANGER)
      .post(`/v1/tasks/${created.body.task_id}/approve`, { request_id: asked.body.request_id });
    const byApprover = await strict.client
      .as("local:human:rita;groups=gates-approvers")
      .post(`/v1/tasks/${created.body.task_id}/approve`, { request_id: asked.body.request_id });

    // Assess
    expect(byOwner.status).toBe(404);
    expect(byApprover.status).toBe(200);
  });
});

describe("an agent pre-granting itself all_session", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: false });
  });
  afterAll(() => h.stop());

  it("is refused, and a force push and a publish still ask a human", async () => {
    // Act
    const refused = await h.client.as(AGENT).post<Refusal>("/v1/tasks", {
      task_id: "greedy",
      owner: "alice",
      repo: "acme/app",
      initial_grants: ["all_session"],
    });
    const created = await h.client
      .as(AGENT)
      .post("/v1/tasks", { task_id: "greedy", owner: "alice", repo: "acme/app" });
    const push = await h.client.as(AGENT).post("/v1/tasks/greedy/tool-calls", PUSH);
    const publish = await h.client.as(AGENT).post("/v1/tasks/greedy/tool-calls", PUBLISH);

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.refusals).toEqual([
      expect.objectContaining({ field: "initial_grants[0]", setting: "pre_grantable_scopes" }),
    ]);
    expect(created.status).toBe(201);
    expect(push.body).toMatchObject({ decision: "REQUIRE_APPROVAL" });
    expect(publish.body).toMatchObject({ decision: "REQUIRE_APPROVAL", severity: "critical" });
  });

  it("records a pre-grant the settings allow as the agent's, in the view, the ledger and the CLI", async () => {
    // Prepare
    await h.client.as(ADMIN).put("/v1/repos/acme%2Freads/settings", {
      owner_approves: true,
      pre_grantable_scopes: ["tool:Read"],
    });

    // Act
    const created = await h.client.as(AGENT).post<{ grants: unknown[] }>("/v1/tasks", {
      task_id: "reader",
      owner: "alice",
      repo: "acme/reads",
      initial_grants: ["tool:Read"],
    });
    const events = await h.client.as(OWNER).get<{ items: LedgerEvent[] }>("/v1/tasks/reader/events");
    const cli = await gates(h.plane.url, OWNER, ["task", "reader"]);

    // Assess: nobody but the agent is credited
    const grantor = { kind: "agent", id: "agent-1" };
    expect(created.body.grants).toEqual([
      expect.objectContaining({ scope: "tool:Read", granted_by: grantor }),
    ]);
    expect(events.body.items[0]?.data.grants).toEqual([{ scope: "tool:Read", granted_by: grantor }]);
    expect(cli.stdout).toContain("tool:Read by agent agent-1");
    expect(cli.stdout).not.toContain("by human alice");
  });

  it("credits a grant from an approval to the human who approved it", async () => {
    // Prepare
    await h.client.as(AGENT).post("/v1/tasks", { task_id: "asked", owner: "alice", repo: "acme/app" });
    const asked = await h.client.as(AGENT).post<{ request_id: string }>("/v1/tasks/asked/tool-calls", PUSH);

    // Act
    await h.client
      .as(OWNER)
      .post("/v1/tasks/asked/approve", { request_id: asked.body.request_id, scope: "tool:Bash" });
    const task = await h.client.as(OWNER).get<{ grants: { granted_by: unknown }[] }>("/v1/tasks/asked");
    const events = await h.client.as(OWNER).get<{ items: LedgerEvent[] }>("/v1/tasks/asked/events");

    // Assess
    expect(task.body.grants[0]?.granted_by).toEqual({ kind: "human", id: "alice" });
    const decided = events.body.items.find((e) => e.type === "approval.decided");
    expect(decided?.data.granted_by).toEqual({ kind: "human", id: "alice" });
  });
});

describe("an agent renaming its repo to escape a rule", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: false });
    const rule = (id: string) =>
      `@rule_id("${id}")\n@tier("hard")\nforbid (principal, action, resource) when { context has command && context.command like "*npm publish*" };`;
    await h.client.as(ADMIN).put("/v1/repos/strict%2Fsvc/policies", { policies: rule("no_publish_svc") });
    await h.client.as(ADMIN).put("/v1/repos/strict%2F*/policies", { policies: rule("no_publish_strict") });
  });
  afterAll(() => h.stop());

  it.each(["strict/svc", "Strict/Svc", "STRICT/SVC", "strict/svc.git", "Strict/Svc.git/", " strict/svc "])(
    "still meets the repo's hard rule as %j",
    async (repo) => {
      const created = await h.client
        .as(AGENT)
        .post<{ task_id: string; repo: string }>("/v1/tasks", { owner: "alice", repo });
      const publish = await h.client.as(AGENT).post(`/v1/tasks/${created.body.task_id}/tool-calls`, PUBLISH);
      expect(created.body.repo).toBe("strict/svc");
      expect(publish.body).toMatchObject({ decision: "DENY", source: "hard_deny" });
      expect(publish.body.rule_ids).toEqual(expect.arrayContaining(["no_publish_svc", "no_publish_strict"]));
    },
  );

  it.each(["strict/svc2", "Strict/Svc-Next", "strict/x"])(
    "meets the owner's prefix rule as the sibling %j",
    async (repo) => {
      const created = await h.client
        .as(AGENT)
        .post<{ task_id: string }>("/v1/tasks", { owner: "alice", repo });
      const publish = await h.client.as(AGENT).post(`/v1/tasks/${created.body.task_id}/tool-calls`, PUBLISH);
      expect(publish.body).toMatchObject({
        decision: "DENY",
        source: "hard_deny",
        rule_ids: ["no_publish_strict"],
      });
    },
  );

  it.each([
    "https://github.com/strict/svc",
    "git@github.com:strict/svc.git",
    "github.com/strict/svc",
    "strict//svc",
    "strict/svc/..",
    "ѕtrict/svc",
  ])("is refused outright as %j, with a message saying what to send", async (repo) => {
    const reply = await h.client
      .as(AGENT)
      .post<{ error: { code: string; details: { fields: { field: string; message: string }[] } } }>(
        "/v1/tasks",
        {
          owner: "alice",
          repo,
        },
      );
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.fields).toEqual([
      { field: "repo", message: expect.stringContaining("owner/name") },
    ]);
  });
});
