import * as z from "zod/mini";
import type { ErrorCode } from "../lambdas/core/errors";
import type { OperationId } from "../lambdas/routes";
import {
  ApproveBodySchema,
  CancelBodySchema,
  CreateTaskBodySchema,
  DenyBodySchema,
  DryRunBodySchema,
  EmptyBodySchema,
  EmptyQuerySchema,
  EvaluateBodySchema,
  EventsQuerySchema,
  FinishBodySchema,
  PendingQuerySchema,
  PublishPoliciesBodySchema,
  ReportOutcomeBodySchema,
  RevokeGrantBodySchema,
  SlackLinkBodySchema,
  WaitQuerySchema,
  WithdrawBodySchema,
} from "./api";
import {
  LiftLockBodySchema,
  LocksPageSchema,
  LockViewSchema,
  PlaceLockBodySchema,
  RepoSettingsBodySchema,
  SettingsViewSchema,
} from "./governance";
import {
  ApprovalViewSchema,
  DryRunResultSchema,
  EvaluationResponseSchema,
  EventsPageSchema,
  HealthViewSchema,
  OutcomeViewSchema,
  PendingPageSchema,
  PolicyViewSchema,
  PublishedPoliciesSchema,
  SlackLinkViewSchema,
  SlackUnlinkViewSchema,
  TaskViewSchema,
  WhoamiViewSchema,
} from "./views";

/** What one operation takes and answers, as the OpenAPI document shows it. */
export interface OperationContract {
  readonly summary: string;
  /** The JSON body, parsed by the operation with this schema. */
  readonly body?: z.core.$ZodType;
  /** A body taken as received: Slack signs its form posts byte for byte. */
  readonly rawBody?: "application/x-www-form-urlencoded";
  readonly query?: z.core.$ZodType;
  /** The success answers by status. */
  readonly responses: Readonly<Partial<Record<200 | 201, z.core.$ZodType>>>;
  /**
   * Error codes this operation raises itself. Those of the edge (bad JSON, validation,
   * credentials, size, throttling, 5xx) are added from the route's shape.
   */
  readonly errors: readonly ErrorCode[];
}

/** Slack reads only a few fields of a webhook's answer; the rest of the shape is Slack's. */
const SlackAckSchema = z.record(z.string(), z.unknown());

/** The OpenAPI 3.1 document itself; it is described by the OpenAPI specification, not here. */
const OpenApiDocumentSchema = z.record(z.string(), z.unknown());
z.globalRegistry.add(OpenApiDocumentSchema, { description: "an OpenAPI 3.1 document" });

const TASK_DECISION_ERRORS = [
  "TASK_NOT_FOUND",
  "REQUEST_NOT_FOUND",
  "REQUEST_ALREADY_DECIDED",
  "TASK_NOT_ACTIVE",
] as const satisfies readonly ErrorCode[];

/**
 * An approval may also be a second vote, the owner where a rule excludes it, a locked task's, or a
 * critical request's without a recent sign-in.
 */
const APPROVE_ERRORS = [
  ...TASK_DECISION_ERRORS,
  "ALREADY_VOTED",
  "SEPARATION_OF_DUTIES",
  "LOCKED",
  "REAUTHENTICATION_REQUIRED",
] as const satisfies readonly ErrorCode[];

/**
 * Every operation of the route manifest with its contract; `satisfies` makes a route without
 * one a type error, and the OpenAPI generator reads both.
 */
export const OPERATIONS = {
  health: { summary: "Liveness and the deployed version", responses: { 200: HealthViewSchema }, errors: [] },
  getOpenApi: {
    summary: "This API's OpenAPI 3.1 document",
    responses: { 200: OpenApiDocumentSchema },
    errors: [],
  },
  whoami: {
    summary: "The caller as the server identifies it",
    query: EmptyQuerySchema,
    responses: { 200: WhoamiViewSchema },
    errors: [],
  },
  createTask: {
    summary: "Register a task (idempotent with the same task_id and body)",
    body: CreateTaskBodySchema,
    responses: { 201: TaskViewSchema, 200: TaskViewSchema },
    errors: ["TASK_EXISTS", "FORBIDDEN_BY_SETTINGS"],
  },
  evaluateToolCall: {
    summary: "Evaluate a tool call: ALLOW, DENY or REQUIRE_APPROVAL",
    body: EvaluateBodySchema,
    responses: { 200: EvaluationResponseSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  finishTask: {
    summary: "End the task as its agent",
    body: FinishBodySchema,
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE"],
  },
  reportOutcome: {
    summary: "Record what became of an allowed call evaluated with track_outcome",
    body: ReportOutcomeBodySchema,
    responses: { 200: OutcomeViewSchema },
    errors: ["TASK_NOT_FOUND", "CALL_NOT_FOUND"],
  },
  withdrawApproval: {
    summary: "Withdraw the agent's own pending request; it ends CANCELLED with the agent as actor",
    body: WithdrawBodySchema,
    responses: { 200: ApprovalViewSchema },
    errors: ["TASK_NOT_FOUND", "REQUEST_NOT_FOUND", "REQUEST_ALREADY_DECIDED"],
  },
  getApproval: {
    summary: "Read an approval request, long-polling up to wait_s seconds for a decision",
    query: WaitQuerySchema,
    responses: { 200: ApprovalViewSchema },
    errors: ["TASK_NOT_FOUND", "REQUEST_NOT_FOUND"],
  },
  getTask: {
    summary: "The task view",
    query: EmptyQuerySchema,
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  listEvents: {
    summary: "The task's hash-chained ledger, one page",
    query: EventsQuerySchema,
    responses: { 200: EventsPageSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  listPending: {
    summary: "The caller's pending approvals, soonest deadline first",
    query: PendingQuerySchema,
    responses: { 200: PendingPageSchema },
    errors: [],
  },
  approve: {
    summary: "Approve a request, optionally granting a wider scope",
    body: ApproveBodySchema,
    responses: { 200: ApprovalViewSchema },
    errors: APPROVE_ERRORS,
  },
  deny: {
    summary: "Deny a request; the reason reaches the agent",
    body: DenyBodySchema,
    responses: { 200: ApprovalViewSchema },
    errors: TASK_DECISION_ERRORS,
  },
  cancelTask: {
    summary: "Kill switch: cancel the task and its pending requests",
    body: CancelBodySchema,
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE"],
  },
  revokeGrant: {
    summary: "Drop a grant the task holds",
    body: RevokeGrantBodySchema,
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE", "GRANT_NOT_FOUND"],
  },
  getPolicies: {
    summary: "The rules in force for a repo (built-ins are version 0)",
    query: EmptyQuerySchema,
    responses: { 200: PolicyViewSchema },
    errors: [],
  },
  publishPolicies: {
    summary: "Publish a new immutable policy version (admins)",
    body: PublishPoliciesBodySchema,
    responses: { 200: PublishedPoliciesSchema },
    errors: ["POLICY_INVALID"],
  },
  dryRunPolicies: {
    summary: "What the repo's policies, or candidate text, would decide; writes nothing",
    body: DryRunBodySchema,
    responses: { 200: DryRunResultSchema },
    errors: ["POLICY_INVALID"],
  },
  getSettings: {
    summary: "The settings new tasks of a repo (or layer) are registered under, and where they come from",
    query: EmptyQuerySchema,
    responses: { 200: SettingsViewSchema },
    errors: [],
  },
  publishSettings: {
    summary: "Publish a layer's next immutable settings version (admins); 422 lists every problem",
    body: RepoSettingsBodySchema,
    responses: { 200: SettingsViewSchema },
    errors: ["SETTINGS_INVALID"],
  },
  placeLock: {
    summary: "Lock every task, a repo or prefix, or an agent: its evaluations answer DENY (admins)",
    body: PlaceLockBodySchema,
    responses: { 201: LockViewSchema },
    errors: [],
  },
  listLocks: {
    summary: "The locks in force, oldest first",
    query: EmptyQuerySchema,
    responses: { 200: LocksPageSchema },
    errors: [],
  },
  listLockEvents: {
    summary: "The lock ledger: every lock placed, lifted or expired, hash-chained",
    query: EventsQuerySchema,
    responses: { 200: EventsPageSchema },
    errors: [],
  },
  liftLock: {
    summary: "Lift a lock; evaluations it stopped are judged as before (admins)",
    body: LiftLockBodySchema,
    responses: { 200: LockViewSchema },
    errors: ["LOCK_NOT_FOUND"],
  },
  linkSlack: {
    summary: "Link the caller's Slack account with the code `/gates link` showed",
    body: SlackLinkBodySchema,
    responses: { 200: SlackLinkViewSchema },
    errors: ["SLACK_ALREADY_LINKED"],
  },
  unlinkSlack: {
    summary: "Unlink every Slack account linked to the caller",
    body: EmptyBodySchema,
    query: EmptyQuerySchema,
    responses: { 200: SlackUnlinkViewSchema },
    errors: [],
  },
  slackInteractions: {
    summary: "Slack's button clicks and modal submits (signed by Slack)",
    rawBody: "application/x-www-form-urlencoded",
    responses: { 200: SlackAckSchema },
    errors: [],
  },
  slackCommands: {
    summary: "Slack's /gates slash command (signed by Slack)",
    rawBody: "application/x-www-form-urlencoded",
    responses: { 200: SlackAckSchema },
    errors: [],
  },
} as const satisfies Record<OperationId, OperationContract>;
