import { LIMITS, TASK_ID_PATTERN } from "../../contracts/limits";
import { renderApprovalMessage } from "../../lambdas/adapters/slack/outbound/approval-message";
import { BLOCK_KIT_LIMITS, blockKitProblems } from "../../lambdas/adapters/slack/outbound/block-kit-limits";
import type { ApprovalRecord } from "../../lambdas/core/records";

/** A task id of the most characters TASK_ID_PATTERN accepts. */
const LONGEST_TASK_ID = `T${"a:b.c-d_".repeat(16)}`.slice(0, 128);
/** A tool name of the most characters the API accepts, full of characters mrkdwn escapes. */
const LONGEST_TOOL = "&<>".repeat(43).slice(0, LIMITS.maxToolNameLength);
/** A human id of the most characters the API accepts. */
const longHuman = (i: number) => `${i}${"h".repeat(255)}`.slice(0, 256);

const LONGEST: ApprovalRecord = {
  task_id: LONGEST_TASK_ID,
  request_id: "01JREQ0000000000000000000Z",
  status: "PENDING",
  repo: `${"o".repeat(100)}/${"r".repeat(100)}`,
  approvers: Array.from({ length: LIMITS.maxApprovers }, (_, i) => longHuman(i)),
  approver_groups: Array.from({ length: 20 }, (_, i) => `${i}${"g".repeat(127)}`),
  tool_name: LONGEST_TOOL,
  tool_input_preview: "&".repeat(512),
  tool_input_sha256: "a".repeat(64),
  rule_ids: Array.from({ length: 12 }, (_, i) => `rule_${i}_${"x".repeat(60)}`),
  severity: "high",
  reason: "&".repeat(2000),
  timeout_s: 3600,
  approvals_required: 10,
  votes: Array.from({ length: 9 }, (_, i) => ({
    by: longHuman(i),
    at: "2026-05-01T12:01:00.000Z",
    via: "api" as const,
    scope: "this_call",
  })),
  created_at: "2026-05-01T12:00:00.000Z",
  expires_at: "2026-05-01T13:00:00.000Z",
};

const decided: ApprovalRecord = {
  ...LONGEST,
  status: "DENIED",
  decided_by: longHuman(1),
  decided_at: "2026-05-01T12:30:00.000Z",
  via: "slack",
  scope: `command:${"&".repeat(248)}`,
  deny_reason: "&".repeat(LIMITS.maxDenyReasonStored),
};

describe("Slack messages against Block Kit's published limits", () => {
  it("uses a task id the API accepts at its longest", () => {
    expect(LONGEST_TASK_ID).toHaveLength(128);
    expect(TASK_ID_PATTERN.test(LONGEST_TASK_ID)).toBe(true);
  });

  it.each([
    ["a pending request", LONGEST],
    ["a critical request", { ...LONGEST, severity: "critical" as const }],
    ["a decided request", decided],
    [
      "an approved request with a quorum",
      { ...decided, status: "APPROVED" as const, deny_reason: undefined },
    ],
  ])("keeps %s with the longest ids, names and texts within every limit", (_name, approval) => {
    const linked = new Map(approval.approvers.map((a, i) => [a, `U${String(i).padStart(10, "0")}`]));
    const message = renderApprovalMessage(approval, linked);
    expect(blockKitProblems(message)).toEqual([]);
  });

  it("keeps every option value short whatever the ids and tool name", () => {
    const message = renderApprovalMessage(LONGEST, new Map());
    const options = message.blocks.flatMap((b) =>
      "elements" in b && Array.isArray(b.elements)
        ? b.elements.flatMap((e) => ("options" in e && Array.isArray(e.options) ? e.options : []))
        : [],
    );
    expect(options.map((o) => o.value)).toEqual(["this_call", "tool", "rule"]);
  });

  it("reports a message past a limit, naming where", () => {
    const tooLong = "v".repeat(BLOCK_KIT_LIMITS.optionValue + 1);
    const problems = blockKitProblems({
      text: "x",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "h".repeat(151) } },
        {
          type: "actions",
          block_id: "b".repeat(256),
          elements: [
            {
              type: "static_select",
              action_id: "approve_scope",
              options: [{ text: { type: "plain_text", text: "o" }, value: tooLong }],
            },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      "blocks[0].text: 151 > 150",
      "blocks[1].block_id: 256 > 255",
      "blocks[1].elements[0].options[0].value: 151 > 150",
    ]);
  });
});
