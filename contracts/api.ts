import { z } from "zod";

/** Limits of the REST contract, in one place. */
export const LIMITS = {
  maxBodyBytes: 256 * 1024,
  maxToolInputBytes: 64 * 1024,
  maxApprovers: 20,
  maxInitialGrants: 20,
  maxGrants: 50,
  maxDescription: 2000,
  maxDenyReasonIn: 4000,
  maxDenyReasonStored: 2000,
  maxWaitS: 25,
  defaultListLimit: 50,
  maxListLimit: 100,
} as const;

export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const REPO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\/[A-Za-z0-9._-]{1,100})?$/;
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const TaskIdSchema = z
  .string()
  .regex(
    TASK_ID_PATTERN,
    "must be 1–128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
  );
export const RepoIdSchema = z
  .string()
  .regex(REPO_ID_PATTERN, "must look like 'owner/name' or 'name' (letters, digits, '.', '_', '-')");
export const RequestIdSchema = z
  .string()
  .regex(ULID_PATTERN, "must be a request_id as returned by the API (a ULID)");
/** A human's id: a Cognito `sub` in AWS, any printable id locally. */
export const HumanIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s\p{Cc}]+$/u, "must be a non-empty id without spaces or control characters");
const ToolNameSchema = z.string().min(1).max(128);
const ToolInputSchema = z.record(z.string(), z.unknown());
const TimeoutSchema = z.number().int().min(30).max(3600);

export const CreateTaskBodySchema = z.strictObject({
  task_id: TaskIdSchema.optional(),
  owner: HumanIdSchema,
  approvers: z.array(HumanIdSchema).max(LIMITS.maxApprovers).optional(),
  repo: RepoIdSchema,
  description: z.string().max(LIMITS.maxDescription).optional(),
  read_only: z.boolean().optional(),
  approval_timeout_s: TimeoutSchema.optional(),
  initial_grants: z.array(z.string()).max(LIMITS.maxInitialGrants).optional(),
  approval_gate_cap: z.number().int().min(1).max(500).optional(),
  max_tool_calls: z.number().int().min(1).max(100_000).optional(),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBodySchema>;

export const EvaluateBodySchema = z.strictObject({
  tool_name: ToolNameSchema,
  tool_input: ToolInputSchema,
  tool_use_id: z.string().min(1).max(256).optional(),
});
export type EvaluateBody = z.infer<typeof EvaluateBodySchema>;

export const ApproveBodySchema = z.strictObject({
  request_id: RequestIdSchema,
  scope: z.string().optional(),
});
export type ApproveBody = z.infer<typeof ApproveBodySchema>;

export const DenyBodySchema = z.strictObject({
  request_id: RequestIdSchema,
  reason: z.string().max(LIMITS.maxDenyReasonIn).optional(),
});
export type DenyBody = z.infer<typeof DenyBodySchema>;

export const FinishBodySchema = z.strictObject({
  status: z.enum(["COMPLETED", "FAILED"]),
  summary: z.string().max(4000).optional(),
});
export type FinishBody = z.infer<typeof FinishBodySchema>;

export const CancelBodySchema = z.strictObject({ reason: z.string().max(4000).optional() });
export type CancelBody = z.infer<typeof CancelBodySchema>;

export const RevokeGrantBodySchema = z.strictObject({ scope: z.string().min(1).max(512) });
export type RevokeGrantBody = z.infer<typeof RevokeGrantBodySchema>;

export const PublishPoliciesBodySchema = z.strictObject({
  policies: z.string(),
  disable: z.array(z.string()).max(100).optional(),
});
export type PublishPoliciesBody = z.infer<typeof PublishPoliciesBodySchema>;

export const DryRunBodySchema = z.strictObject({
  tool_name: ToolNameSchema,
  tool_input: ToolInputSchema,
  read_only: z.boolean().optional(),
  policies: z.string().optional(),
});
export type DryRunBody = z.infer<typeof DryRunBodySchema>;

/** Query strings arrive as strings; these coerce and bound them. */
const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const WaitQuerySchema = z.strictObject({ wait_s: intParam(0, LIMITS.maxWaitS).optional() });
export const PendingQuerySchema = z.strictObject({
  limit: intParam(1, LIMITS.maxListLimit).optional(),
  next_token: z.string().min(1).max(2048).optional(),
  repo: RepoIdSchema.optional(),
});
export const EventsQuerySchema = z.strictObject({
  after_seq: intParam(0, 999_999).optional(),
  limit: intParam(1, LIMITS.maxListLimit).optional(),
});
export const EmptyQuerySchema = z.strictObject({});

export type Decision = "ALLOW" | "DENY" | "REQUIRE_APPROVAL";
export type ApprovalStatus = "PENDING" | "APPROVED" | "DENIED" | "TIMED_OUT" | "CANCELLED";
export type Via = "api" | "slack" | "system";

export interface GrantView {
  scope: string;
  granted_by: string;
  granted_at: string;
  request_id?: string;
}

export interface TaskView {
  task_id: string;
  status: string;
  owner: string;
  approvers: string[];
  agent_id: string;
  repo: string;
  description?: string;
  read_only: boolean;
  approval_timeout_s: number;
  approval_gate_cap: number;
  max_tool_calls: number;
  policy_version: number;
  grants: GrantView[];
  pending_request_ids: string[];
  counters: { tool_calls: number; approvals_requested: number };
  created_at: string;
  updated_at: string;
  last_event_seq: number;
}

export interface EvaluationResponse {
  decision: Decision;
  source: string;
  reason: string;
  rule_ids: string[];
  request_id?: string;
  severity?: string;
  timeout_s?: number;
  expires_at?: string;
  event_seq: number;
}

export interface ApprovalView {
  task_id: string;
  request_id: string;
  status: ApprovalStatus;
  tool_name: string;
  tool_input_preview: string;
  tool_input_sha256: string;
  rule_ids: string[];
  severity: string;
  reason: string;
  created_at: string;
  expires_at: string;
  decided_at?: string;
  decided_by?: string;
  via?: Via;
  scope?: string;
  deny_reason?: string;
}

export interface PendingItem {
  task_id: string;
  request_id: string;
  repo: string;
  tool_name: string;
  tool_input_preview: string;
  rule_ids: string[];
  severity: string;
  reason: string;
  created_at: string;
  expires_at: string;
}

export interface ErrorBody {
  error: { code: string; message: string; request_id: string; details?: Record<string, unknown> };
}

/** `GET /v1/health`. */
export interface HealthView {
  status: string;
  version: string;
}

/** One page of `GET /v1/pending`. */
export interface PendingPage {
  items: PendingItem[];
  next_token?: string;
}

/** A rule as policy views show it. */
export interface RuleView {
  rule_id: string;
  tier: "hard" | "soft";
  source: "builtin" | "custom";
  severity?: string;
  approval_timeout_s?: number;
  category?: string;
  summary?: string;
}

/** `GET /v1/repos/{repo_id}/policies`: the rules new tasks of the repo pin. */
export interface PolicyView {
  repo_id: string;
  version: number;
  builtin_version: string;
  hard: RuleView[];
  soft: RuleView[];
  disabled: string[];
}

/** `PUT /v1/repos/{repo_id}/policies`. */
export interface PublishedPolicies extends PolicyView {
  warnings: string[];
}

/** `POST /v1/repos/{repo_id}/policies/evaluate`: what the policies would decide, with nothing written. */
export interface DryRunResult {
  decision: Decision;
  source: string;
  reason: string;
  rule_ids: string[];
  severity?: string;
  timeout_s?: number;
}

/** `POST /v1/slack/link`: a code from `/gates link`; hyphen and case optional. */
export const SlackLinkBodySchema = z.strictObject({
  code: z.string().min(1).max(64),
});
export type SlackLinkBody = z.infer<typeof SlackLinkBodySchema>;

/** `POST /v1/slack/link` answer. */
export interface SlackLinkView {
  linked: true;
  slack_team_id: string;
  slack_user_id: string;
}

/** `DELETE /v1/slack/link` answer: how many Slack accounts were unlinked from the caller. */
export interface SlackUnlinkView {
  unlinked: number;
}
