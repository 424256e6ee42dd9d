import type { WebhookFormat } from "../../lambdas/adapters/webhooks/webhook-config";
import { deliveryId, renderWebhookBody } from "../../lambdas/adapters/webhooks/webhook-payload";
import { chainEvent, GENESIS_HASH } from "../../lambdas/core/ledger";
import type { ApprovalRecord } from "../../lambdas/core/records";
import { WEBHOOK_HEADERS } from "../../lambdas/core/webhooks/signature";

/** The task every sample delivery names, so a receiver can tell samples from real requests. */
export const SAMPLE_TASK_ID = "gates-webhook-test";

/**
 * A sample `approval.requested` delivery as the fan-out would send it: a real, hash-chained ledger
 * event and the approval view, with a delivery id unique to this second so a receiver that drops
 * repeats still accepts the next test.
 */
export function sampleDelivery(format: WebhookFormat, now: Date) {
  const at = now.toISOString();
  const requestId = "01JSAMP1E0000000000000000Z";
  const approval: ApprovalRecord = {
    task_id: SAMPLE_TASK_ID,
    request_id: requestId,
    status: "PENDING",
    repo: "acme/app",
    approvers: ["alice"],
    tool_name: "Bash",
    tool_input_preview: '{"command":"git push --force origin main"}',
    tool_input_sha256: "0".repeat(64),
    rule_ids: ["force_push", "force_push_protected"],
    severity: "high",
    reason: "Force pushes to a protected branch rewrite shared history",
    timeout_s: 600,
    created_at: at,
    expires_at: new Date(now.getTime() + 600_000).toISOString(),
  };
  const event = chainEvent(GENESIS_HASH, {
    task_id: SAMPLE_TASK_ID,
    seq: Math.floor(now.getTime() / 1000),
    type: "approval.requested",
    at,
    actor: { kind: "agent", id: "gates-cli" },
    data: {
      request_id: requestId,
      tool_name: approval.tool_name,
      rule_ids: approval.rule_ids,
      severity: approval.severity,
    },
  });
  const id = deliveryId(event);
  return {
    id,
    body: renderWebhookBody(format, event, approval),
    headers: { [WEBHOOK_HEADERS.delivery]: id, [WEBHOOK_HEADERS.event]: event.type },
  };
}
