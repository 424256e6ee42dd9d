import { BLOCK_KIT_LIMITS } from "../../../lambdas/adapters/slack/outbound/block-kit-limits";
import { signSlackRequest } from "../../../lambdas/core/slack/signature";
import { actionsBlockId, requestRefValue } from "../../../lambdas/core/slack/wire";
import {
  createTask,
  type Harness,
  requestApproval,
  startHarness,
  TEST_SLACK_SIGNING_SECRET,
} from "../../support/control-plane-harness";
import { AGENT, APPROVER, OWNER, STRANGER } from "../../support/gates-client";
import { blockAction, denySubmission, fakeSlack, link, postSigned, type SlackPerson } from "./slack-fakes";

const BOB: SlackPerson = { team: "T1", user: "UBOB" };
const MALLORY: SlackPerson = { team: "T1", user: "UMAL" };
const NOBODY: SlackPerson = { team: "T1", user: "UNOBODY" };
const INTERACTIONS = "/v1/slack/interactions";

let h: Harness;
let slack: ReturnType<typeof fakeSlack>;
beforeAll(async () => {
  slack = fakeSlack();
  h = await startHarness({ slack: slack.deps });
  await link(h, BOB, APPROVER);
  await link(h, MALLORY, STRANGER);
});
afterAll(() => h.stop());
beforeEach(() => {
  slack.posts.length = 0;
  slack.modals.length = 0;
  slack.state.modalsFail = false;
});

async function pending(command?: string) {
  const taskId = await createTask(h.client);
  const requestId = await requestApproval(h.client, taskId, command);
  return { taskId, requestId, value: `${taskId}|${requestId}` };
}

const approval = async (taskId: string, requestId: string) =>
  (await h.client.as(OWNER).get(`/v1/tasks/${taskId}/approvals/${requestId}`)).body;

describe("Slack interactions", () => {
  it("approves with the Approve button, via slack, as the linked human", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();

    // Act
    const reply = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "approve", value }));

    // Assess
    expect(reply.status).toBe(200);
    expect(await approval(taskId, requestId)).toMatchObject({
      status: "APPROVED",
      via: "slack",
      decided_by: "bob",
      scope: "this_call",
    });
    expect(slack.posts).toEqual([
      { url: "https://hooks.slack.com/actions/T/1/x", text: expect.stringContaining("Approved") },
    ]);
    const events = await h.client
      .as(OWNER)
      .get<{ items: { type: string; actor: unknown }[] }>(`/v1/tasks/${taskId}/events`);
    expect(events.body.items.at(-1)).toMatchObject({
      type: "approval.decided",
      actor: { kind: "slack", id: "bob" },
    });
  });

  it("approves from the select on a task id of the API's longest, every value within Slack's limits", async () => {
    // Prepare: a 128-character task id, the most TASK_ID_PATTERN accepts.
    const longId = `t${"x".repeat(120)}${Date.now().toString(36).slice(-7)}`;
    expect(longId).toHaveLength(128);
    await createTask(h.client, { task_id: longId });
    const taskId = longId;
    const requestId = await requestApproval(h.client, taskId);
    const ref = { taskId, requestId };
    const action = {
      action_id: "approve_scope",
      block_id: actionsBlockId(ref),
      selected_option: { value: "rule" },
    };
    expect(action.block_id.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blockId);
    expect(requestRefValue(ref).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.buttonValue);

    // Act
    const reply = await postSigned(h, INTERACTIONS, blockAction(BOB, action));

    // Assess: the choice became the request's first rule, read from the stored request.
    expect(reply.status).toBe(200);
    expect(await approval(taskId, requestId)).toMatchObject({ status: "APPROVED", scope: "rule:force_push" });
  });

  it("approves with a wider scope from the select, granting tool:Bash", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();
    const action = {
      action_id: "approve_scope",
      block_id: `gates_actions|${value}`,
      selected_option: { value: "tool" },
    };

    // Act
    const reply = await postSigned(h, INTERACTIONS, blockAction(BOB, action));

    // Assess
    expect(reply.status).toBe(200);
    expect(await approval(taskId, requestId)).toMatchObject({ status: "APPROVED", scope: "tool:Bash" });
    const task = await h.client.as(AGENT).get<{ grants: { scope: string }[] }>(`/v1/tasks/${taskId}`);
    expect(task.body.grants.map((g) => g.scope)).toContain("tool:Bash");
  });

  it("opens the deny modal, then denies with the sanitized reason", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();

    // Act
    const click = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "deny", value }));
    const reason = "leaked AKIAIOSFODNN7EXAMPLE\u001b[31m in the log";
    const submit = await postSigned(h, INTERACTIONS, denySubmission(BOB, value, reason));

    // Assess
    expect(click.status).toBe(200);
    expect(slack.modals).toEqual([{ triggerId: "trigger-1", privateMetadata: value }]);
    expect(submit).toEqual({ status: 200, body: { response_action: "clear" } });
    const denied = await approval(taskId, requestId);
    expect(denied).toMatchObject({ status: "DENIED", via: "slack", decided_by: "bob" });
    expect(String(denied.deny_reason)).toContain("[REDACTED");
    expect(String(denied.deny_reason)).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(String(denied.deny_reason)).not.toContain("\u001b");
  });

  it("says how to deny from the CLI when the modal cannot open", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();
    slack.state.modalsFail = true;

    // Act
    const click = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "deny", value }));

    // Assess
    expect(click.status).toBe(200);
    expect(slack.posts[0]?.text).toContain(`gates deny ${taskId} ${requestId}`);
    expect(await approval(taskId, requestId)).toMatchObject({ status: "PENDING" });
  });

  it("refuses an unlinked Slack user with an ephemeral message", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();

    // Act
    const reply = await postSigned(h, INTERACTIONS, blockAction(NOBODY, { action_id: "approve", value }));

    // Assess
    expect(reply.status).toBe(200);
    expect(slack.posts[0]?.text).toContain("/gates link");
    expect(await approval(taskId, requestId)).toMatchObject({ status: "PENDING" });
  });

  it("refuses a linked human who is not an approver of the task", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();

    // Act
    const approve = await postSigned(h, INTERACTIONS, blockAction(MALLORY, { action_id: "approve", value }));
    const deny = await postSigned(h, INTERACTIONS, denySubmission(MALLORY, value, "no"));

    // Assess
    expect(approve.status).toBe(200);
    expect(slack.posts[0]?.text).toContain("not an approver");
    expect(deny.body).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.stringContaining("not an approver") },
    });
    expect(await approval(taskId, requestId)).toMatchObject({ status: "PENDING" });
  });

  it("refuses every Slack decision on a critical request, forged clicks included", async () => {
    // Prepare: npm publish is package_publish, critical.
    const { taskId, requestId, value } = await pending("npm publish");
    expect(await approval(taskId, requestId)).toMatchObject({ severity: "critical" });

    // Act
    const approve = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "approve", value }));
    const scoped = await postSigned(
      h,
      INTERACTIONS,
      blockAction(BOB, {
        action_id: "approve_scope",
        block_id: `gates_actions|${value}`,
        selected_option: { value: "tool" },
      }),
    );
    const denyClick = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "deny", value }));
    const denySubmit = await postSigned(h, INTERACTIONS, denySubmission(BOB, value, "no"));

    // Assess
    expect([approve.status, scoped.status, denyClick.status, denySubmit.status]).toEqual([
      200, 200, 200, 200,
    ]);
    expect(slack.posts.map((p) => p.text)).toEqual([
      expect.stringContaining("gates approve"),
      expect.stringContaining("gates approve"),
      expect.stringContaining("gates approve"),
    ]);
    expect(slack.modals).toEqual([]);
    expect(denySubmit.body).toMatchObject({ response_action: "errors" });
    expect(await approval(taskId, requestId)).toMatchObject({ status: "PENDING" });
  });

  it("tells the user a request is already decided, with its status", async () => {
    // Prepare
    const { taskId, requestId, value } = await pending();
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/deny`, { request_id: requestId });

    // Act
    const reply = await postSigned(h, INTERACTIONS, blockAction(BOB, { action_id: "approve", value }));

    // Assess
    expect(reply.status).toBe(200);
    expect(slack.posts[0]?.text).toContain("already DENIED");
    expect(await approval(taskId, requestId)).toMatchObject({ status: "DENIED", via: "api" });
  });

  it.each([
    ["a forged signature", { signature: `v0=${"a".repeat(64)}` }],
    ["another secret", { secret: "not-the-secret" }],
    ["a stale timestamp", { timestamp: Math.floor(Date.now() / 1000) - 400 }],
    ["a future timestamp", { timestamp: Math.floor(Date.now() / 1000) + 400 }],
  ])("answers 401 to %s, before touching anything", async (_name, options) => {
    // Prepare
    const { taskId, requestId, value } = await pending();

    // Act
    const reply = await postSigned(
      h,
      INTERACTIONS,
      blockAction(BOB, { action_id: "approve", value }),
      options,
    );

    // Assess
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    expect(slack.posts).toEqual([]);
    expect(await approval(taskId, requestId)).toMatchObject({ status: "PENDING" });
  });

  it("answers 401 to a signed request whose body was changed on the way", async () => {
    // Prepare
    const { value } = await pending();
    const body = blockAction(BOB, { action_id: "approve", value });
    const timestamp = Math.floor(h.clock.now().getTime() / 1000);
    const signature = signSlackRequest(TEST_SLACK_SIGNING_SECRET, String(timestamp), body);

    // Act
    const reply = await postSigned(h, INTERACTIONS, body.replace("UBOB", "UMAL"), { timestamp, signature });

    // Assess
    expect(reply.status).toBe(401);
  });

  it("answers 401 without the Slack headers, whatever bearer token is sent", async () => {
    // Act
    const reply = await fetch(`${h.plane.url}${INTERACTIONS}`, {
      method: "POST",
      headers: { authorization: `Bearer ${OWNER}`, "content-type": "application/x-www-form-urlencoded" },
      body: "payload=%7B%7D",
    });

    // Assess
    expect(reply.status).toBe(401);
  });
});
