import type { ApprovalView } from "../../../contracts/api";
import { toApprovalView } from "../../core/control-plane/views";
import type { LedgerEvent } from "../../core/ledger";
import type { ApprovalRecord } from "../../core/records";
import { stripControl, truncate } from "../../core/sanitize";
import type { WebhookFormat } from "./webhook-config";

/** The JSON body of a delivery: which delivery it is, the ledger event, and the request as it stands now. */
export interface WebhookBody {
  /** The delivery id, `<task_id>:<seq>`: the same on every retry, so a receiver can drop repeats. */
  readonly id: string;
  readonly type: LedgerEvent["type"];
  /** When the event happened. */
  readonly at: string;
  /** The ledger event itself, hash-chained: `gates events <task> --verify` can vouch for it. */
  readonly event: LedgerEvent;
  /** The request as `GET /v1/tasks/{task_id}/approvals/{request_id}` shows it. */
  readonly approval: ApprovalView;
}

/** The id of a delivery of an event; stable across retries and redeliveries. */
export function deliveryId(event: Pick<LedgerEvent, "task_id" | "seq">): string {
  return `${event.task_id}:${event.seq}`;
}

/** The delivery body in the endpoint's format, as the exact text that is signed and sent. */
export function renderWebhookBody(
  format: WebhookFormat,
  event: LedgerEvent,
  approval: ApprovalRecord,
): string {
  const view = toApprovalView(approval);
  if (format === "adaptive-card") return JSON.stringify(adaptiveCardMessage(event, view));
  const body: WebhookBody = { id: deliveryId(event), type: event.type, at: event.at, event, approval: view };
  return JSON.stringify(body);
}

const HEADLINES: Readonly<Record<string, string>> = {
  PENDING: "Approval needed",
  APPROVED: "Approved",
  DENIED: "Denied",
  TIMED_OUT: "Timed out",
  CANCELLED: "Cancelled",
};

/** Adaptive Card text is Markdown-ish; control characters go, and lengths stay readable. */
const plain = (text: string, max = 400) => truncate(stripControl(text), max);

/**
 * The request as a Microsoft Teams message with one Adaptive Card (schema 1.4), the body a Teams
 * Workflows "post to a channel when a webhook request is received" trigger accepts. It informs; the
 * decision is made with the CLI, REST or the console, whose command the card shows.
 */
export function adaptiveCardMessage(event: LedgerEvent, view: ApprovalView) {
  const headline = HEADLINES[view.status] ?? view.status;
  const facts = [
    { title: "Task", value: plain(view.task_id) },
    { title: "Severity", value: view.severity },
    { title: "Rules", value: plain(view.rule_ids.join(", ")) },
    { title: "Reason", value: plain(view.reason) },
    { title: "Deadline", value: view.expires_at },
    { title: "Approvals", value: plain(view.progress) },
    ...(view.decided_by ? [{ title: "Decided by", value: plain(view.decided_by) }] : []),
    ...(view.scope && view.scope !== "this_call" ? [{ title: "Scope", value: plain(view.scope) }] : []),
    ...(view.deny_reason ? [{ title: "Deny reason", value: plain(view.deny_reason) }] : []),
  ];
  const pending = view.status === "PENDING";
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              size: "Large",
              weight: "Bolder",
              wrap: true,
              text: plain(`${headline}: ${view.tool_name}`, 200),
            },
            { type: "FactSet", facts },
            {
              type: "TextBlock",
              fontType: "Monospace",
              wrap: true,
              text: plain(view.tool_input_preview, 600),
            },
            ...(pending
              ? [
                  {
                    type: "TextBlock",
                    wrap: true,
                    isSubtle: true,
                    text: plain(`Decide with: gates approve ${view.task_id} ${view.request_id}`, 300),
                  },
                ]
              : []),
          ],
          msteams: { width: "Full" },
        },
      },
    ],
    // Not part of the card: lets a receiver other than Teams still tell deliveries apart.
    gates: { id: deliveryId(event), type: event.type, task_id: view.task_id, request_id: view.request_id },
  };
}
