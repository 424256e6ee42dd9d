import * as z from "zod/mini";

import { LIMITS, TASK_ID_PATTERN, ULID_PATTERN } from "./limits";
import { bounded } from "./mini-schemas";
import {
  CANONICAL_LAYER_ID,
  CANONICAL_REPO_ID,
  type CanonicalResult,
  canonicalLayerId,
  canonicalRepoId,
} from "./repo-id";

export { LIMITS, TASK_ID_PATTERN, ULID_PATTERN };

export const TaskIdSchema = z
  .string()
  .check(
    z.regex(
      TASK_ID_PATTERN,
      "must be 1–128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
    ),
  );
/** A string rewritten to its canonical form, or refused with the canonicalizer's reason. */
const canonicalized = (canonicalize: (raw: string) => CanonicalResult, canonicalForm: RegExp) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((raw: string, ctx) => {
        const canonical = canonicalize(raw);
        if (canonical.ok) return canonical.id;
        ctx.issues.push({ code: "custom", message: canonical.message, input: raw });
        return z.NEVER;
      }),
    ),
    // What the transform gives, stated, so the OpenAPI document shows the canonical form.
    z.string().check(z.regex(canonicalForm)),
  );
/** A repo id, canonicalized (lower case, no `.git`): every spelling of one repo is one key. */
export const RepoIdSchema = canonicalized(canonicalRepoId, CANONICAL_REPO_ID);
/** Where rules and settings are published: `*` (the deployment), `owner/*` or a repo, canonicalized. */
export const LayerIdSchema = canonicalized(canonicalLayerId, CANONICAL_LAYER_ID);
export const RequestIdSchema = z
  .string()
  .check(z.regex(ULID_PATTERN, "must be a request_id as returned by the API (a ULID)"));
/** A human's id: a Cognito `sub` in AWS, any printable id locally. */
export const HumanIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(256),
    z.regex(/^[^\s\p{Cc}]+$/u, "must be a non-empty id without spaces or control characters"),
  );
const ToolNameSchema = z.string().check(z.minLength(1), z.maxLength(LIMITS.maxToolNameLength));
const ToolInputSchema = z.record(z.string(), z.unknown());
const TimeoutSchema = bounded(30, 3600);

export const CreateTaskBodySchema = z.strictObject({
  task_id: z.optional(TaskIdSchema),
  owner: HumanIdSchema,
  approvers: z.optional(z.array(HumanIdSchema).check(z.maxLength(LIMITS.maxApprovers))),
  repo: RepoIdSchema,
  description: z.optional(z.string().check(z.maxLength(LIMITS.maxDescription))),
  read_only: z.optional(z.boolean()),
  approval_timeout_s: z.optional(TimeoutSchema),
  initial_grants: z.optional(z.array(z.string()).check(z.maxLength(LIMITS.maxInitialGrants))),
  approval_gate_cap: z.optional(bounded(1, 500)),
  max_tool_calls: z.optional(bounded(1, 100_000)),
});
export type CreateTaskBody = z.infer<typeof CreateTaskBodySchema>;

export const EvaluateBodySchema = z.strictObject({
  tool_name: ToolNameSchema,
  tool_input: ToolInputSchema,
  tool_use_id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /**
   * The caller will record what became of the call (`POST /v1/tasks/{task_id}/outcomes`), so an
   * ALLOW, or a request a human approves, is kept open for that. Changes no decision.
   */
  track_outcome: z.optional(z.boolean()),
});
export type EvaluateBody = z.infer<typeof EvaluateBodySchema>;

export const ApproveBodySchema = z.strictObject({
  request_id: RequestIdSchema,
  scope: z.optional(z.string()),
});
export type ApproveBody = z.infer<typeof ApproveBodySchema>;

export const DenyBodySchema = z.strictObject({
  request_id: RequestIdSchema,
  reason: z.optional(z.string().check(z.maxLength(LIMITS.maxDenyReasonIn))),
});
export type DenyBody = z.infer<typeof DenyBodySchema>;

export const FinishBodySchema = z.strictObject({
  status: z.enum(["COMPLETED", "FAILED"]),
  summary: z.optional(z.string().check(z.maxLength(4000))),
});
export type FinishBody = z.infer<typeof FinishBodySchema>;

export const CancelBodySchema = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(4000))) });
export type CancelBody = z.infer<typeof CancelBodySchema>;

/** `POST /v1/tasks/{task_id}/approvals/{request_id}/withdraw`: the agent no longer wants the call. */
export const WithdrawBodySchema = z.strictObject({
  reason: z.optional(z.string().check(z.maxLength(LIMITS.maxOutcomeText))),
});
export type WithdrawBody = z.infer<typeof WithdrawBodySchema>;

/** What happened to an allowed call: it ran (whatever its result), or the tool could not be reached or failed to answer. */
export const OUTCOMES = ["executed", "upstream_error"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * `POST /v1/tasks/{task_id}/outcomes`: the agent reports what became of one allowed call, named
 * by the `event_seq` of its ALLOW or by the `request_id` a human approved.
 */
export const ReportOutcomeBodySchema = z
  .strictObject({
    event_seq: z.optional(bounded(1, 1_000_000)),
    request_id: z.optional(RequestIdSchema),
    outcome: z.enum(OUTCOMES),
    duration_ms: bounded(0, 86_400_000),
    result_sha256: z.optional(
      z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a SHA-256 as 64 lowercase hex characters")),
    ),
    result_is_error: z.optional(z.boolean()),
    error: z.optional(z.string().check(z.maxLength(LIMITS.maxOutcomeText))),
  })
  .check(
    z.refine((b) => (b.event_seq === undefined) !== (b.request_id === undefined), {
      message: "name the call with exactly one of event_seq (an ALLOW) or request_id (an approved request)",
      path: ["event_seq"],
    }),
  );
export type ReportOutcomeBody = z.infer<typeof ReportOutcomeBodySchema>;

export const RevokeGrantBodySchema = z.strictObject({
  scope: z.string().check(z.minLength(1), z.maxLength(512)),
});
export type RevokeGrantBody = z.infer<typeof RevokeGrantBodySchema>;

export const PublishPoliciesBodySchema = z.strictObject({
  policies: z.string(),
  disable: z.optional(z.array(z.string()).check(z.maxLength(100))),
});
export type PublishPoliciesBody = z.infer<typeof PublishPoliciesBodySchema>;

export const DryRunBodySchema = z.strictObject({
  tool_name: ToolNameSchema,
  tool_input: ToolInputSchema,
  read_only: z.optional(z.boolean()),
  policies: z.optional(z.string()),
});
export type DryRunBody = z.infer<typeof DryRunBodySchema>;

/** Query strings arrive as strings; these coerce and bound them. */
const intParam = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,6}$/, "must be a whole number")), z.transform(Number)),
    bounded(min, max),
  );

export const WaitQuerySchema = z.strictObject({ wait_s: z.optional(intParam(0, LIMITS.maxWaitS)) });
export const PendingQuerySchema = z.strictObject({
  limit: z.optional(intParam(1, LIMITS.maxListLimit)),
  next_token: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  repo: z.optional(RepoIdSchema),
});
export const EventsQuerySchema = z.strictObject({
  after_seq: z.optional(intParam(0, 999_999)),
  limit: z.optional(intParam(1, LIMITS.maxListLimit)),
});
export const EmptyQuerySchema = z.strictObject({});
/** For routes that take no body fields: sending any is a mistake worth a 400. */
export const EmptyBodySchema = z.strictObject({});

/** `POST /v1/slack/link`: a code from `/gates link`; hyphen and case optional. */
export const SlackLinkBodySchema = z.strictObject({
  code: z.string().check(z.minLength(1), z.maxLength(64)),
});
export type SlackLinkBody = z.infer<typeof SlackLinkBodySchema>;

/*
 * The answers' schemas are in ./views; their types are re-exported here, where the requests' are.
 */
export type {
  ApprovalStatus,
  ApprovalView,
  Decision,
  DryRunResult,
  ErrorBody,
  EvaluationResponse,
  Grantor,
  GrantView,
  HealthView,
  LayerVersion,
  OutcomeView,
  PendingItem,
  PendingPage,
  PolicyLayerView,
  PolicyView,
  PublishedPolicies,
  RuleView,
  SlackLinkView,
  SlackUnlinkView,
  TaskView,
  Via,
  WhoamiView,
} from "./views";
