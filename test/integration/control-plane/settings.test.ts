import type { PendingItem, TaskView } from "../../../contracts/api";
import type { SettingsView } from "../../../contracts/governance";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER } from "../../support/gates-client";

/** Repo settings: published by admins in layers, versioned, validated whole, pinned by new tasks. */

interface Problems {
  error: { code: string; message: string; details: { problems: { field: string; message: string }[] } };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ settings: false });
});
afterAll(() => h.stop());

/** Publishes as a new admin each time: publishes are rate limited per admin. */
let admins = 0;
const put = (layer: string, body: unknown, token = `${ADMIN}-${++admins}`) =>
  h.client.as(token).put<SettingsView & Problems>(`/v1/repos/${encodeURIComponent(layer)}/settings`, body);
const get = (layer: string, token = AGENT) =>
  h.client.as(token).get<SettingsView>(`/v1/repos/${encodeURIComponent(layer)}/settings`);

describe("publishing settings", () => {
  it("refuses a document with 422, listing every problem with its field", async () => {
    const reply = await put("bad/app", {
      approvers: { users: ["bob", "has space"], groups: ["a,b"] },
      pre_grantable_scopes: ["this_call", "command:*"],
      approval_timeout_s: { default: 900, max: 600 },
      owner_approves: "yes",
      colour: "blue",
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe("SETTINGS_INVALID");
    expect(reply.body.error.details.problems.map((p) => p.field).sort()).toEqual(
      ["approvers.users[1]", "approvers.groups[0]", "owner_approves", "colour"].sort(),
    );

    const semantic = await put("bad/app", {
      approvers: { users: ["bob"] },
      pre_grantable_scopes: ["this_call", "command:*"],
      approval_timeout_s: { default: 900, max: 600 },
      approvals_required: 2,
    });
    expect(semantic.status).toBe(422);
    expect(semantic.body.error.details.problems.map((p) => p.field)).toEqual([
      "pre_grantable_scopes[0]",
      "pre_grantable_scopes[1]",
      "approval_timeout_s.default",
      "approvals_required",
    ]);
  });

  it("is for admins only", async () => {
    const reply = await put("acme/app", { owner_approves: true }, OWNER);
    expect(reply.status).toBe(403);
  });

  it("numbers immutable versions and warns about documents that let agents pick approvers", async () => {
    const first = await put("Versioned/App.git", { approvers: { users: ["bob"] } });
    const second = await put("versioned/app", {});
    expect(first.body).toMatchObject({ layer: "versioned/app", version: 1, warnings: [] });
    expect(second.body).toMatchObject({ version: 2, warnings: [expect.stringContaining("nobody")] });
    const again = await put("versioned/app", { allowed_owners: ["*"], owner_approves: true });
    expect(again.body.warnings).toEqual([expect.stringContaining("an agent can name anyone")]);
  });
});

describe("the settings in force", () => {
  it("come from the repo, else its owner's layer, else the deployment layer, else the default", async () => {
    await put("*", { approvers: { users: ["gail"] } });
    await put("layered/*", { approvers: { users: ["pat"] } });
    await put("layered/own", { approvers: { users: ["rob"] } });

    const own = await get("Layered/Own");
    const prefix = await get("layered/other");
    const global = await get("elsewhere/app");
    expect([own.body.layer, own.body.settings.approvers.users]).toEqual(["layered/own", ["rob"]]);
    expect([prefix.body.layer, prefix.body.settings.approvers.users]).toEqual(["layered/*", ["pat"]]);
    expect([global.body.layer, global.body.settings.approvers.users]).toEqual(["*", ["gail"]]);
  });

  it("are pinned by a task at registration; later versions change only new tasks", async () => {
    await put("pinned/app", { approvers: { users: ["bob"] } });
    const before = await h.client
      .as(AGENT)
      .post<TaskView>("/v1/tasks", { task_id: "pin-1", owner: "alice", repo: "pinned/app" });
    await put("pinned/app", { approvers: { users: ["carol"] } });
    const after = await h.client
      .as(AGENT)
      .post<TaskView>("/v1/tasks", { task_id: "pin-2", owner: "alice", repo: "pinned/app" });

    expect(before.body).toMatchObject({ approvers: ["bob"], settings: { layer: "pinned/app", version: 1 } });
    expect(after.body).toMatchObject({ approvers: ["carol"], settings: { layer: "pinned/app", version: 2 } });
    const reread = await h.client.as(OWNER).get<TaskView>("/v1/tasks/pin-1");
    expect(reread.body.approvers).toEqual(["bob"]);
  });

  it("decide which agents may register, and the longest timeout", async () => {
    await put("guarded/app", {
      approvers: { users: ["bob"] },
      allowed_agents: ["agent-9", "ci-*"],
      approval_timeout_s: { default: 120, max: 600 },
    });
    const refused = await h.client
      .as(AGENT)
      .post<{ error: { details: { refusals: { setting: string }[] } } }>("/v1/tasks", {
        owner: "alice",
        repo: "guarded/app",
        approval_timeout_s: 900,
      });
    const allowed = await h.client
      .as("local:agent:ci-7")
      .post<TaskView>("/v1/tasks", { owner: "alice", repo: "guarded/app" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.refusals.map((r) => r.setting)).toEqual([
      "allowed_agents",
      "approval_timeout_s.max",
    ]);
    expect(allowed.body).toMatchObject({ approval_timeout_s: 120, approvers: ["bob"] });
  });

  it("let the members of an approver group decide and see what waits for them", async () => {
    // Prepare
    await put("grouped/app", { approvers: { groups: ["release"] } });
    await h.client.as(AGENT).post("/v1/tasks", { task_id: "grp-1", owner: "alice", repo: "grouped/app" });
    const asked = await h.client.as(AGENT).post<{ request_id: string }>("/v1/tasks/grp-1/tool-calls", {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    const member = "local:human:rita;groups=release";

    // Act
    const pending = await h.client.as(member).get<{ items: PendingItem[] }>("/v1/pending");
    const outsider = await h.client
      .as("local:human:sam;groups=other")
      .post("/v1/tasks/grp-1/approve", { request_id: asked.body.request_id });
    const approved = await h.client
      .as(member)
      .post("/v1/tasks/grp-1/approve", { request_id: asked.body.request_id });

    // Assess
    expect(pending.body.items.map((i) => i.request_id)).toEqual([asked.body.request_id]);
    expect(outsider.status).toBe(404);
    expect(approved.body).toMatchObject({ status: "APPROVED", decided_by: "rita" });
    const after = await h.client.as(member).get<{ items: PendingItem[] }>("/v1/pending");
    expect(after.body.items).toEqual([]);
  });

  it("list each request once in a pending page, whether it reaches the human by name or by group", async () => {
    await put("both/app", { approvers: { users: ["rita"], groups: ["release"] } });
    await h.client.as(AGENT).post("/v1/tasks", { task_id: "both-1", owner: "alice", repo: "both/app" });
    for (const command of [
      "git push --force origin main",
      "git push --force origin release/2",
      "terraform apply",
    ]) {
      await h.client
        .as(AGENT)
        .post("/v1/tasks/both-1/tool-calls", { tool_name: "Bash", tool_input: { command } });
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page: { status: number; body: { items: PendingItem[]; next_token?: string } } = await h.client
        .as("local:human:rita;groups=release")
        .get(`/v1/pending?limit=1${token ? `&next_token=${token}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.filter((i) => i.task_id === "both-1").map((i) => i.request_id));
      token = page.body.next_token;
    } while (token);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
  });
});
