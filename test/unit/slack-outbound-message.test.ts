import {
  escapeMrkdwn,
  renderApprovalMessage,
  slackDate,
} from "../../lambdas/adapters/slack/outbound/approval-message";
import type { ApprovalRecord } from "../../lambdas/core/records";

const PENDING: ApprovalRecord = {
  task_id: "t-1",
  request_id: "01JREQ",
  status: "PENDING",
  repo: "acme/app",
  approvers: ["alice", "bob"],
  tool_name: "Bash",
  tool_input_preview: '{"command":"rm -rf build"}',
  tool_input_sha256: "a".repeat(64),
  rule_ids: ["rm_rf"],
  severity: "high",
  reason: "Recursive delete",
  timeout_s: 300,
  created_at: "2026-05-01T12:00:00.000Z",
  expires_at: "2026-05-01T12:05:00.000Z",
};
const LINKED = new Map([["bob", "UBOB"]]);

const blocksText = (a: ApprovalRecord) => JSON.stringify(renderApprovalMessage(a, LINKED).blocks);
const actionIds = (a: ApprovalRecord) =>
  renderApprovalMessage(a, LINKED).blocks.flatMap((b) =>
    "elements" in b && Array.isArray(b.elements)
      ? b.elements.flatMap((e) => ("action_id" in e && typeof e.action_id === "string" ? [e.action_id] : []))
      : [],
  );

describe("renderApprovalMessage", () => {
  it("gives a pending request approve, a scope select and deny; the buttons and the block carry the request", () => {
    const text = blocksText(PENDING);
    expect(actionIds(PENDING)).toEqual(["approve", "approve_scope", "deny"]);
    expect(text).toContain('"value":"t-1|01JREQ"');
    expect(text).toContain('"block_id":"gates_actions|t-1|01JREQ"');
    expect(text).toContain('"value":"this_call"');
    expect(text).toContain('"value":"tool"');
    expect(text).toContain('"value":"rule"');
    expect(text).toContain('"style":"danger"');
  });

  it("mentions linked approvers and names the others", () => {
    expect(blocksText(PENDING)).toContain("*Approvers* alice, <@UBOB>");
  });

  it("replaces buttons by the CLI command for a critical request", () => {
    const critical = { ...PENDING, severity: "critical" as const };
    expect(actionIds(critical)).toEqual([]);
    expect(blocksText(critical)).toContain("gates approve t-1 01JREQ");
  });

  it.each([
    ["APPROVED", "Approved"],
    ["DENIED", "Denied"],
    ["TIMED_OUT", "Timed out"],
    ["CANCELLED", "Cancelled"],
  ] as const)("shows a %s request's outcome, who, via and when, without buttons", (status, label) => {
    const ended: ApprovalRecord = {
      ...PENDING,
      status,
      decided_by: "bob",
      via: "slack",
      decided_at: "2026-05-01T12:01:00.000Z",
      deny_reason: "use a <PR>",
    };
    const text = blocksText(ended);
    expect(actionIds(ended)).toEqual([]);
    expect(text).toContain(label);
    expect(text).toContain("by <@UBOB> · via slack · <!date^1777636860^");
    expect(text).toContain("use a &lt;PR&gt;");
  });

  it("shows a quorum's progress while it keeps its buttons, and everyone who approved once it ends", () => {
    const vote = (by: string) => ({
      by,
      at: "2026-05-01T12:01:00.000Z",
      via: "api" as const,
      scope: "this_call",
    });
    const voting: ApprovalRecord = {
      ...PENDING,
      approver_groups: ["release"],
      approvals_required: 2,
      approver_not_owner: true,
      votes: [vote("bob")],
    };
    expect(blocksText(voting)).toContain("*Approvals* 1 of 2 approvals (<@UBOB>)");
    expect(blocksText(voting)).toContain("group _release_ (not the task's owner)");
    expect(actionIds(voting)).toEqual(["approve", "approve_scope", "deny"]);

    const approved: ApprovalRecord = {
      ...voting,
      status: "APPROVED",
      votes: [vote("bob"), vote("carol")],
      decided_by: "carol",
      decided_at: "2026-05-01T12:02:00.000Z",
      via: "slack",
    };
    expect(blocksText(approved)).toContain("*Approved* · by <@UBOB>, carol");
    expect(blocksText(approved)).toContain("2 of 2 approvals (<@UBOB>, carol)");
    expect(actionIds(approved)).toEqual([]);
  });

  it("says nothing of approvals for a request one approver decides", () => {
    expect(blocksText(PENDING)).not.toContain("*Approvals*");
  });

  it("keeps a preview inside its code block whatever it contains", () => {
    const tricky = { ...PENDING, tool_input_preview: "```<!channel>\u202e & ```" };
    const text = blocksText(tricky);
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("\u202e");
    expect(text.match(/```/g)).toHaveLength(2);
  });

  it("cuts a preview to fit Slack's section limit", () => {
    const long = { ...PENDING, tool_input_preview: "x".repeat(10_000) };
    for (const block of renderApprovalMessage(long, LINKED).blocks) {
      const text = (block as { text?: { text?: string } }).text?.text ?? "";
      expect(text.length).toBeLessThanOrEqual(3_000);
    }
  });

  it("attaches the request as metadata, which the dedup lookup searches for", () => {
    expect(renderApprovalMessage(PENDING, LINKED).metadata).toEqual({
      event_type: "gates_approval_request",
      event_payload: { task_id: "t-1", request_id: "01JREQ" },
    });
  });
});

describe("slackDate and escapeMrkdwn", () => {
  it("writes a Slack date with the ISO time as fallback", () => {
    expect(slackDate("2026-05-01T12:05:00.000Z")).toBe(
      "<!date^1777637100^{date_short_pretty} {time}|2026-05-01T12:05:00.000Z>",
    );
  });

  it("escapes the three mrkdwn control characters and drops terminal escapes", () => {
    expect(escapeMrkdwn("a & <b> \u001b[31mred")).toBe("a &amp; &lt;b&gt; red");
  });
});
