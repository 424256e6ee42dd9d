/**
 * The API's answers, as the core builds them. These schemas type them for the core and the SDK and
 * describe them in the OpenAPI document; a test checks real answers against that document. They
 * live apart from the request schemas so the Lambda functions, which import only the types of the
 * answers, carry none of them.
 */
import * as z from "zod/mini";
import { OUTCOMES } from "./api";
import { described, int } from "./mini-schemas";
import { ApprovalStatusSchema, GrantorSchema, LayerVersionSchema, ViaSchema } from "./record-shapes";

export type { ApprovalStatus, Grantor, LayerVersion, Via } from "./record-shapes";
export { ApprovalStatusSchema, GrantorSchema, LayerVersionSchema, ViaSchema };

export const DecisionSchema = z.enum(["ALLOW", "DENY", "REQUIRE_APPROVAL"]);
export type Decision = z.infer<typeof DecisionSchema>;

const TimeSchema = described(z.string(), {
  description: "ISO-8601 UTC with milliseconds",
  format: "date-time",
});

export const GrantViewSchema = z.object({
  scope: z.string(),
  granted_by: GrantorSchema,
  granted_at: TimeSchema,
  request_id: z.optional(z.string()),
  approved_by: described(z.optional(z.array(z.string())), {
    description: "every human who approved the request that granted it, when it needed more than one",
  }),
});
export type GrantView = z.infer<typeof GrantViewSchema>;

export const TaskViewSchema = z.object({
  task_id: z.string(),
  status: described(z.string(), {
    description: "RUNNING, AWAITING_APPROVAL, COMPLETED, FAILED, CANCELLED or TIMED_OUT",
  }),
  owner: z.string(),
  approvers: described(z.array(z.string()), {
    description:
      "humans who may decide the task's requests, from the repo's settings (the owner first when it may)",
  }),
  approver_groups: described(z.array(z.string()), {
    description: "identity groups (e.g. Cognito groups) whose members may decide them too",
  }),
  agent_id: z.string(),
  repo: z.string(),
  description: z.optional(z.string()),
  read_only: z.boolean(),
  approval_timeout_s: int(),
  approval_gate_cap: int(),
  max_tool_calls: int(),
  policy_version: described(int(), {
    description:
      "the version of the repo's own policy layer; policy_layers has every layer the task is judged by",
  }),
  policy_layers: z.array(LayerVersionSchema),
  // A copy, so the description is this field's and not every layer version's.
  settings: described(LayerVersionSchema.clone(), {
    description:
      'the settings the task was registered under (layer "default" is the deployment\'s built-in default)',
  }),
  grants: z.array(GrantViewSchema),
  pending_request_ids: z.array(z.string()),
  counters: z.object({ tool_calls: int(), approvals_requested: int() }),
  created_at: TimeSchema,
  updated_at: TimeSchema,
  last_event_seq: int(),
  last_event_hash: described(z.string(), {
    description:
      "the hash of the event at last_event_seq: with it, a copy of the ledger can be checked for a missing tail",
  }),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const EvaluationResponseSchema = z.object({
  decision: DecisionSchema,
  source: described(z.string(), {
    description: "which step of the pipeline decided, e.g. hard_deny, lock or grant",
  }),
  reason: z.string(),
  rule_ids: z.array(z.string()),
  request_id: described(z.optional(z.string()), { description: "set when the decision is REQUIRE_APPROVAL" }),
  severity: z.optional(z.string()),
  timeout_s: z.optional(int()),
  expires_at: z.optional(TimeSchema),
  approvals_required: described(z.optional(int()), {
    description: "REQUIRE_APPROVAL only: distinct approvers the request needs",
  }),
  event_seq: int(),
  input_sha256: described(z.string(), {
    description:
      "SHA-256 of the evaluated tool_input as canonical JSON, so a caller can prove what was judged",
  }),
});
export type EvaluationResponse = z.infer<typeof EvaluationResponseSchema>;

/** `POST /v1/tasks/{task_id}/outcomes`: the recorded outcome. */
export const OutcomeViewSchema = z.object({
  task_id: z.string(),
  event_seq: int(),
  tool_name: z.string(),
  input_sha256: z.string(),
  outcome: z.enum(OUTCOMES),
});
export type OutcomeView = z.infer<typeof OutcomeViewSchema>;

/** A request's quorum: how many must approve, who did, and the line the CLI, Slack and the terminal show. */
const quorumFields = {
  approvals_required: described(int(), {
    description: "how many distinct approvers must approve; one deny ends the request",
  }),
  approved_by: described(z.array(z.string()), {
    description: "who approved so far (or in the end), in order",
  }),
  progress: described(z.string(), { description: 'e.g. "1 of 2 approvals (alice)"' }),
};

export const ApprovalViewSchema = z.object({
  task_id: z.string(),
  request_id: z.string(),
  status: ApprovalStatusSchema,
  tool_name: z.string(),
  tool_input_preview: z.string(),
  tool_input_sha256: z.string(),
  rule_ids: z.array(z.string()),
  severity: z.string(),
  reason: z.string(),
  created_at: TimeSchema,
  expires_at: TimeSchema,
  decided_at: z.optional(TimeSchema),
  decided_by: z.optional(z.string()),
  via: z.optional(ViaSchema),
  scope: z.optional(z.string()),
  deny_reason: z.optional(z.string()),
  ...quorumFields,
  approver_not_owner: described(z.optional(z.boolean()), {
    description: "true when a matched rule excludes the task's owner from approving",
  }),
});
export type ApprovalView = z.infer<typeof ApprovalViewSchema>;

export const PendingItemSchema = z.object({
  task_id: z.string(),
  request_id: z.string(),
  repo: z.string(),
  tool_name: z.string(),
  tool_input_preview: z.string(),
  rule_ids: z.array(z.string()),
  severity: z.string(),
  reason: z.string(),
  created_at: TimeSchema,
  expires_at: TimeSchema,
  ...quorumFields,
});
export type PendingItem = z.infer<typeof PendingItemSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: described(z.string(), { description: "what was wrong and how to fix it (4xx); generic (5xx)" }),
    request_id: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** `GET /v1/health`. */
export const HealthViewSchema = z.object({ status: z.string(), version: z.string() });
export type HealthView = z.infer<typeof HealthViewSchema>;

/** `GET /v1/whoami`: the caller as the server identified it. */
export const WhoamiViewSchema = z.object({
  kind: z.enum(["agent", "human"]),
  id: z.string(),
  admin: z.boolean(),
});
export type WhoamiView = z.infer<typeof WhoamiViewSchema>;

/** One page of `GET /v1/pending`. */
export const PendingPageSchema = z.object({
  items: z.array(PendingItemSchema),
  next_token: z.optional(z.string()),
});
export type PendingPage = z.infer<typeof PendingPageSchema>;

/** One ledger entry; `hash` chains it to the one before (see docs/api.md). */
export const LedgerEventSchema = z.object({
  task_id: z.string(),
  seq: int(),
  type: described(z.string(), { description: "task.created, tool_call.evaluated, approval.requested, …" }),
  at: TimeSchema,
  actor: z.object({ kind: z.enum(["human", "agent", "system", "slack"]), id: z.string() }),
  data: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

/** One page of `GET /v1/tasks/{task_id}/events`. */
export const EventsPageSchema = z.object({
  items: z.array(LedgerEventSchema),
  next_after_seq: z.optional(int()),
});

/** A rule as policy views show it. */
export const RuleViewSchema = z.object({
  rule_id: z.string(),
  tier: z.enum(["hard", "soft"]),
  source: z.enum(["builtin", "custom"]),
  layer: described(z.optional(z.string()), {
    description: "the layer a custom rule was published in: *, owner/* or a repo",
  }),
  severity: z.optional(z.string()),
  approval_timeout_s: z.optional(int()),
  approvals_required: z.optional(int()),
  approver_not_owner: z.optional(z.boolean()),
  category: z.optional(z.string()),
  summary: z.optional(z.string()),
});
export type RuleView = z.infer<typeof RuleViewSchema>;

/** One published layer that judges the repo, with who published its version and when. */
export const PolicyLayerViewSchema = z.extend(LayerVersionSchema, {
  published_by: z.string(),
  published_at: TimeSchema,
});
export type PolicyLayerView = z.infer<typeof PolicyLayerViewSchema>;

/**
 * `GET /v1/repos/{repo_id}/policies`: the rules new tasks of the repo pin, from every layer that covers
 * it (`*`, `owner/*`, the repo), widest first; `version` is the layer's own.
 */
export const PolicyViewSchema = z.object({
  repo_id: z.string(),
  version: int(),
  builtin_version: z.string(),
  layers: z.array(PolicyLayerViewSchema),
  hard: z.array(RuleViewSchema),
  soft: z.array(RuleViewSchema),
  disabled: z.array(z.string()),
});
export type PolicyView = z.infer<typeof PolicyViewSchema>;

/** `PUT /v1/repos/{repo_id}/policies`. */
export const PublishedPoliciesSchema = z.extend(PolicyViewSchema, { warnings: z.array(z.string()) });
export type PublishedPolicies = z.infer<typeof PublishedPoliciesSchema>;

/** `POST /v1/repos/{repo_id}/policies/evaluate`: what the policies would decide, with nothing written. */
export const DryRunResultSchema = z.object({
  decision: DecisionSchema,
  source: z.string(),
  reason: z.string(),
  rule_ids: z.array(z.string()),
  severity: z.optional(z.string()),
  timeout_s: z.optional(int()),
  approvals_required: z.optional(int()),
});
export type DryRunResult = z.infer<typeof DryRunResultSchema>;

/** `POST /v1/slack/link` answer. */
export const SlackLinkViewSchema = z.object({
  linked: z.literal(true),
  slack_team_id: z.string(),
  slack_user_id: z.string(),
});
export type SlackLinkView = z.infer<typeof SlackLinkViewSchema>;

/** `DELETE /v1/slack/link` answer: how many Slack accounts were unlinked from the caller. */
export const SlackUnlinkViewSchema = z.object({ unlinked: int() });
export type SlackUnlinkView = z.infer<typeof SlackUnlinkViewSchema>;
