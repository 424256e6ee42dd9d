import type { EvaluationResponse, TaskView } from "../../../contracts/api";
import type { Harness } from "../../support/control-plane-harness";
import { startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const NO_PROD = `@rule_id("no_prod_deploy")
@tier("hard")
@summary("prod deploys go through the pipeline")
forbid (principal, action, resource)
when { context has command_lower && context.command_lower like "*deploy prod*" };
`;

describe("policies", () => {
  it("serves the built-ins as version 0 for a repo with nothing published", async () => {
    const reply = await h.client
      .as(OWNER)
      .get<{ version: number; hard: { rule_id: string }[]; soft: unknown[] }>(
        "/v1/repos/fresh%2Frepo/policies",
      );
    expect(reply.status).toBe(200);
    expect(reply.body.version).toBe(0);
    expect(reply.body.hard.map((r) => r.rule_id)).toContain("rm_rf_root");
    expect(reply.body.soft).toHaveLength(11);
  });

  it("publishes numbered versions that new tasks pin, and disables a soft built-in", async () => {
    const repo = "acme%2Fpinned";
    const v1 = await h.client
      .as(ADMIN)
      .put<{ version: number }>(`/v1/repos/${repo}/policies`, { policies: NO_PROD });
    const v2 = await h.client
      .as(ADMIN)
      .put<{ version: number; disabled: string[] }>(`/v1/repos/${repo}/policies`, {
        policies: NO_PROD,
        disable: ["force_push"],
      });
    expect([v1.body.version, v2.body.version]).toEqual([1, 2]);
    expect(v2.body.disabled).toEqual(["force_push"]);

    const task = await h.client
      .as(AGENT)
      .post<TaskView>("/v1/tasks", { owner: "alice", repo: "acme/pinned" });
    expect(task.body.policy_version).toBe(2);
    const deploy = await h.client
      .as(AGENT)
      .post<EvaluationResponse>(`/v1/tasks/${task.body.task_id}/tool-calls`, {
        tool_name: "Bash",
        tool_input: { command: "./deploy prod" },
      });
    expect(deploy.body).toMatchObject({
      decision: "DENY",
      source: "hard_deny",
      rule_ids: ["no_prod_deploy"],
    });
  });

  it("refuses bad policy text with 422 and every diagnostic", async () => {
    const reply = await h.client.as(ADMIN).put("/v1/repos/acme%2Fbad/policies", {
      policies: `@rule_id("x") forbid (principal, action, resource);`,
      disable: ["rm_rf_root"],
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      error: {
        code: "POLICY_INVALID",
        details: {
          diagnostics: [
            { message: expect.stringContaining("@rule_id") },
            expect.anything(),
            expect.anything(),
          ],
        },
      },
    });
  });

  it("returns schema warnings without refusing", async () => {
    const reply = await h.client.as(ADMIN).put<{ warnings: string[] }>("/v1/repos/acme%2Fwarn/policies", {
      policies: `@rule_id("env_prod") @tier("soft") forbid (principal, action, resource) when { context.input.env == "prod" };`,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.warnings.length).toBeGreaterThan(0);
  });

  it("dry-runs candidate text without writing anything", async () => {
    const reply = await h.client.as(OWNER).post("/v1/repos/acme%2Fdry/policies/evaluate", {
      tool_name: "Bash",
      tool_input: { command: "./deploy prod" },
      policies: NO_PROD,
    });
    expect(reply.body).toMatchObject({ decision: "DENY", source: "hard_deny", rule_ids: ["no_prod_deploy"] });
    const after = await h.client.as(OWNER).get<{ version: number }>("/v1/repos/acme%2Fdry/policies");
    expect(after.body.version).toBe(0);
  });

  it("refuses a dry run's tool_input over 64 KiB and candidate text over 64 KiB with 413, like real calls", async () => {
    const path = "/v1/repos/acme%2Fdry/policies/evaluate";
    const bigInput = await h.client
      .as(AGENT)
      .post(path, { tool_name: "Write", tool_input: { content: "x".repeat(200_000) } });
    const bigText = await h.client.as(AGENT).post(path, {
      tool_name: "Bash",
      tool_input: { command: "ls" },
      policies: `${NO_PROD}\n// ${"x".repeat(70_000)}`,
    });
    for (const reply of [bigInput, bigText]) {
      expect([reply.status, (reply.body as { error: { code: string } }).error.code]).toEqual([
        413,
        "PAYLOAD_TOO_LARGE",
      ]);
    }
  });

  it("refuses candidate text nested past Cedar's means with 422, and the gate keeps judging calls", async () => {
    const deep = `@rule_id("deep") @tier("hard") forbid (principal, action, resource) when { ${"(".repeat(200)}true${")".repeat(200)} };`;
    const refused = await h.client.as(AGENT).post("/v1/repos/acme%2Fdry/policies/evaluate", {
      tool_name: "Bash",
      tool_input: { command: "ls" },
      policies: deep,
    });
    const published = await h.client.as(ADMIN).put("/v1/repos/acme%2Fdeep/policies", { policies: deep });
    const task = await h.client.as(AGENT).post<TaskView>("/v1/tasks", { owner: "alice", repo: "acme/app" });
    const judged = await h.client
      .as(AGENT)
      .post<EvaluationResponse>(`/v1/tasks/${task.body.task_id}/tool-calls`, {
        tool_name: "Bash",
        tool_input: { command: "rm -rf /" },
      });

    for (const reply of [refused, published]) {
      expect(reply.status).toBe(422);
      expect(JSON.stringify(reply.body)).toContain("nests brackets more than 32 levels deep");
    }
    expect(judged.body).toMatchObject({ decision: "DENY", source: "hard_deny", rule_ids: ["rm_rf_root"] });
  });

  it("rate limits each principal to 60 dry runs a minute, with retry-after, apart from other principals", async () => {
    const path = "/v1/repos/acme%2Fdry/policies/evaluate";
    const call = { tool_name: "Bash", tool_input: { command: "ls" }, policies: NO_PROD };
    // Start at the top of a fixed one-minute window, so the calls below all fall in one.
    h.clock.advance(60_000 - (h.clock.now().getTime() % 60_000));
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1)
      statuses.push((await h.client.as("local:agent:dry-runner").post(path, call)).status);
    const limited = await h.client.as("local:agent:dry-runner").post(path, call);
    const other = await h.client.as("local:human:dry-runner").post(path, call);
    h.clock.advance(60_000);
    const nextMinute = await h.client.as("local:agent:dry-runner").post(path, call);

    expect(statuses).toEqual([...Array(60).fill(200), 429]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect([other.status, nextMinute.status]).toEqual([200, 200]);
  });
});
