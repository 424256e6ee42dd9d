/**
 * The Block Kit message of an approval request: pure functions from the stored request (and, once it
 * ends, its decision) to the text and blocks Slack shows. The same function renders the first post and
 * every update, so a message posted after its decision is already in its final state.
 */
import type { ChatPostMessageArguments } from "@slack/web-api";
import { approvedBy, quorumProgress } from "../../../core/governance/quorum";
import type { ApprovalRecord } from "../../../core/records";
import { stripControl, truncate } from "../../../core/sanitize";
import {
  ACTION_IDS,
  actionsBlockId,
  BLOCK_IDS,
  requestRefValue,
  SCOPE_CHOICES,
  scopeChoicesOf,
} from "../../../core/slack/wire";
import { BLOCK_KIT_LIMITS } from "./block-kit-limits";

export { BLOCK_IDS } from "../../../core/slack/wire";

/** One Block Kit block, as `@slack/web-api` types them. */
export type SlackBlock = Extract<ChatPostMessageArguments, { blocks: unknown[] }>["blocks"][number];

/** The `event_type` of the metadata attached to every request message; the dedup lookup searches for it. */
export const REQUEST_METADATA_TYPE = "gates_approval_request";

/** What a request message shows and carries. */
export interface ApprovalMessage {
  /** The notification and fallback text. */
  readonly text: string;
  readonly blocks: SlackBlock[];
  readonly metadata: {
    readonly event_type: typeof REQUEST_METADATA_TYPE;
    readonly event_payload: { readonly task_id: string; readonly request_id: string };
  };
}

/** Slack's limit on a section's text is 3000 characters; the rest of the section needs a little room. */
const PREVIEW_MAX = 2_800;

/** Escapes the three characters Slack's mrkdwn gives meaning to, after dropping control characters. */
export function escapeMrkdwn(text: string): string {
  return stripControl(text, { keepNewlines: true })
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** A preview inside a code block; a run of three backquotes in it would end the block early. */
function codeBlock(preview: string): string {
  const safe = escapeMrkdwn(truncate(preview, PREVIEW_MAX)).replace(/```/g, "`\u200b`\u200b`");
  return `\`\`\`${safe}\`\`\``;
}

/** A Slack date that each reader sees in their own time zone, with the ISO time as fallback. */
export function slackDate(iso: string): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(epoch)) return escapeMrkdwn(iso);
  return `<!date^${epoch}^{date_short_pretty} {time}|${escapeMrkdwn(iso)}>`;
}

/** A human as a Slack mention when linked, else by name. */
export function mention(userId: string, slackUsers: ReadonlyMap<string, string>): string {
  const slackUser = slackUsers.get(userId);
  return slackUser ? `<@${slackUser}>` : escapeMrkdwn(userId);
}

/** A section's mrkdwn, cut to Slack's limit after escaping (escaping can make text several times longer). */
function section(text: string, blockId?: string): SlackBlock {
  return {
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: "mrkdwn", text: truncate(text, BLOCK_KIT_LIMITS.sectionText) },
  };
}

/**
 * The options of the approve scope select. Each value is a short choice; the interactions endpoint
 * makes it into a scope from the stored request, so values stay far below Slack's 150 characters.
 */
export function approveScopeOptions(approval: Pick<ApprovalRecord, "tool_name" | "rule_ids">) {
  return scopeChoicesOf(approval).map((choice) => ({
    text: { type: "plain_text" as const, text: SCOPE_CHOICES[choice].label },
    value: choice,
  }));
}

function actionsBlock(approval: ApprovalRecord): SlackBlock {
  const ref = { taskId: approval.task_id, requestId: approval.request_id };
  const value = requestRefValue(ref);
  return {
    type: "actions",
    block_id: actionsBlockId(ref),
    elements: [
      {
        type: "button",
        action_id: ACTION_IDS.approve,
        text: { type: "plain_text", text: "Approve" },
        style: "primary",
        value,
      },
      {
        type: "static_select",
        action_id: ACTION_IDS.approveScope,
        placeholder: { type: "plain_text", text: "Approve for…" },
        options: approveScopeOptions(approval),
      },
      {
        type: "button",
        action_id: ACTION_IDS.deny,
        text: { type: "plain_text", text: "Deny" },
        style: "danger",
        value,
      },
    ],
  };
}

function cliBlock(approval: ApprovalRecord): SlackBlock {
  const command = `gates approve ${approval.task_id} ${approval.request_id}`;
  return section(
    `:lock: *Critical:* decide from the CLI, not from Slack:\n\`${escapeMrkdwn(command)}\``,
    BLOCK_IDS.cli,
  );
}

const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  APPROVED: ":white_check_mark: *Approved*",
  DENIED: ":no_entry: *Denied*",
  TIMED_OUT: ":hourglass: *Timed out*",
  CANCELLED: ":heavy_multiplication_x: *Cancelled*",
};

function outcomeBlock(approval: ApprovalRecord, slackUsers: ReadonlyMap<string, string>): SlackBlock {
  const parts = [OUTCOME_LABELS[approval.status] ?? `*${escapeMrkdwn(approval.status)}*`];
  const voters = approval.status === "APPROVED" ? approvedBy(approval) : [];
  if (voters.length > 1) parts.push(`by ${voters.map((v) => mention(v, slackUsers)).join(", ")}`);
  else if (approval.decided_by) parts.push(`by ${mention(approval.decided_by, slackUsers)}`);
  if (approval.via) parts.push(`via ${escapeMrkdwn(approval.via)}`);
  if (approval.decided_at) parts.push(slackDate(approval.decided_at));
  let text = parts.join(" · ");
  if (approval.scope && approval.scope !== "this_call")
    text += `\nScope: \`${escapeMrkdwn(approval.scope)}\``;
  if (approval.deny_reason) text += `\nReason: ${escapeMrkdwn(approval.deny_reason)}`;
  return section(text, BLOCK_IDS.outcome);
}

/**
 * The message of a request in its current state: buttons while it is PENDING (none for `critical`,
 * which shows the CLI command instead), the outcome once it has ended.
 *
 * @param slackUsers - Slack user ids of linked humans by human id, for mentions
 */
export function renderApprovalMessage(
  approval: ApprovalRecord,
  slackUsers: ReadonlyMap<string, string>,
): ApprovalMessage {
  const tool = escapeMrkdwn(approval.tool_name);
  const approvers = [
    ...approval.approvers.map((a) => mention(a, slackUsers)),
    ...(approval.approver_groups ?? []).map((g) => `group _${escapeMrkdwn(g)}_`),
  ].join(", ");
  const required = approval.approvals_required ?? 1;
  const details = [
    `*Task* \`${escapeMrkdwn(approval.task_id)}\` in *${escapeMrkdwn(approval.repo)}*`,
    `*Severity* ${escapeMrkdwn(approval.severity)}  ·  *Rules* ${approval.rule_ids.map((r) => `\`${escapeMrkdwn(r)}\``).join(", ")}`,
    `*Reason* ${escapeMrkdwn(approval.reason)}`,
    `*Deadline* ${slackDate(approval.expires_at)}`,
    `*Approvers* ${approvers}${approval.approver_not_owner ? " (not the task's owner)" : ""}`,
    ...(required > 1
      ? [
          `*Approvals* ${quorumProgress(
            required,
            approvedBy(approval).map((v) => mention(v, slackUsers)),
          )}`,
        ]
      : []),
  ].join("\n");
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: truncate(`Approval needed: ${stripControl(approval.tool_name)}`, BLOCK_KIT_LIMITS.headerText),
      },
    },
    section(details),
    section(codeBlock(approval.tool_input_preview)),
  ];
  const pending = approval.status === "PENDING";
  if (!pending) blocks.push(outcomeBlock(approval, slackUsers));
  else if (approval.severity === "critical") blocks.push(cliBlock(approval));
  else blocks.push(actionsBlock(approval));
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: `request \`${escapeMrkdwn(approval.request_id)}\`` }],
  });
  const state = pending ? "needs approval" : approval.status.toLowerCase().replace("_", " ");
  return {
    text: `${tool} on ${escapeMrkdwn(approval.task_id)} ${state} (${escapeMrkdwn(approval.severity)})`,
    blocks,
    metadata: {
      event_type: REQUEST_METADATA_TYPE,
      event_payload: { task_id: approval.task_id, request_id: approval.request_id },
    },
  };
}
