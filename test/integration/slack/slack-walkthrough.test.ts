import type { ApprovalView } from "../../../contracts/api";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { type FakeSlack, startFakeSlack } from "../../support/fake-slack";
import { OWNER, waitFor } from "../../support/gates-client";
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
});
