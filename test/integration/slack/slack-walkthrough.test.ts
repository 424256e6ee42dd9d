import type { ApprovalView } from "../../../contracts/api";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { type FakeSlack, startFakeSlack } from "../../support/fake-slack";
import { ADMIN, AGENT, OWNER, waitFor } from "../../support/gates-client";
import { actionIdsOf } from "./outbound-support";
import { blockAction, link, postSigned } from "./slack-fakes";

/** The whole loop as a new user meets it: ask, see the message, click Approve, see it update. */
describe("Slack, end to end in local mode", () => {
  let slack: FakeSlack;
  let h: Harness;
  beforeAll(async () => {
    slack = await startFakeSlack();
    h = await startHarness({
      slackFanout: { botToken: "xoxb-test", channel: "CAPPROVALS", apiUrl: slack.apiUrl },
    });
  });
  afterAll(async () => {
    await h.stop();
    await slack.close();
  });

  it("posts a soft-rule request with buttons, approves on a signed click, and updates the message", async () => {
    const alice = { team: "T1", user: "UALICE" };
    await link(h, alice, OWNER);
    const taskId = await createTask(h.client);

    const asked = Date.now();
    const requestId = await requestApproval(h.client, taskId);
    const posted = await waitFor(
      async () => slack.callsTo("chat.postMessage")[0],
      5_000,
      "the Slack message",
    );
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(actionIdsOf(posted.args.blocks)).toEqual(
      expect.arrayContaining(["approve", "approve_scope", "deny"]),
    );

    const click = await postSigned(
      h,
      "/v1/slack/interactions",
      blockAction(alice, { action_id: "approve", value: `${taskId}|${requestId}` }),
    );
    expect(click.status).toBe(200);
    const approval = await h.client.as(OWNER).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(approval.body).toMatchObject({ status: "APPROVED", via: "slack", decided_by: "alice" });

    const updated = await waitFor(async () => slack.callsTo("chat.update")[0], 5_000, "the message update");
    expect(updated.args.ts).toBe(slack.messages("CAPPROVALS")[0]?.ts);
    expect(actionIdsOf(updated.args.blocks)).toEqual([]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("needs two distinct Slack approvers for a two-person rule, updating the one message on each vote", async () => {
    // Prepare: bob and carol approve team/app; a rule there needs two of them
    const bob = { team: "T1", user: "UBOB" };
    const carol = { team: "T1", user: "UCAROL" };
    await link(h, bob, "local:human:bob");
    await link(h, carol, "local:human:carol");
    await h.client
      .as(ADMIN)
      .put("/v1/repos/team%2Fapp/settings", { approvers: { users: ["bob", "carol"] }, owner_approves: true });
    await h.client.as(ADMIN).put("/v1/repos/team%2Fapp/policies", {
      policies: `@rule_id("two_person")\n@tier("soft")\n@approvals_required("2")\nforbid (principal, action, resource) when { context has command && context.command like "*deploy*" };`,
    });
    const taskId = await createTask(h.client, { repo: "team/app" });
    const asked = await h.client.as(AGENT).post<{ request_id: string }>(`/v1/tasks/${taskId}/tool-calls`, {
      tool_name: "Bash",
      tool_input: { command: "make deploy" },
    });
    const requestId = asked.body.request_id;
    const messageOf = () =>
      slack.messages("CAPPROVALS").find((m) => JSON.stringify(m.metadata).includes(requestId));
    await waitFor(async () => messageOf(), 5_000, "the request's message");
    const click = (who: typeof bob) =>
      postSigned(
        h,
        "/v1/slack/interactions",
        blockAction(who, { action_id: "approve", value: `${taskId}|${requestId}` }),
      );

    // Act: bob clicks twice, then carol
    await click(bob);
    await h.plane.poller.drain();
    const afterBob = JSON.stringify(messageOf()?.blocks);
    await click(bob);
    const view = await h.client.as(OWNER).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    await click(carol);
    await h.plane.poller.drain();

    // Assess
    expect(afterBob).toContain("1 of 2 approvals (<@UBOB>)");
    expect(actionIdsOf(JSON.parse(afterBob))).toEqual(expect.arrayContaining(["approve", "deny"]));
    expect(view.body).toMatchObject({ status: "PENDING", approved_by: ["bob"] });
    const approval = await h.client.as(OWNER).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(approval.body).toMatchObject({ status: "APPROVED", via: "slack", approved_by: ["bob", "carol"] });
    expect(JSON.stringify(messageOf()?.blocks)).toContain("2 of 2 approvals (<@UBOB>, <@UCAROL>)");
    expect(actionIdsOf(messageOf()?.blocks)).toEqual([]);
    const posts = slack.callsTo("chat.postMessage").filter((c) => JSON.stringify(c.args).includes(requestId));
    expect(posts).toHaveLength(1);
  });
});
