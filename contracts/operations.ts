import * as z from "zod/mini";
import type { ErrorCode } from "../lambdas/core/errors";
import type { OperationId } from "../lambdas/routes";
import { LocksPageSchema, LockViewSchema, SettingsViewSchema } from "./governance";
import * as governanceInputs from "./governance-inputs";
import type { OperationInput } from "./inputs";
import * as inputs from "./inputs";
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

/**
 * What every operation takes, by operation: the one declaration the router checks requests
 * against. `satisfies` makes an operation without one a type error.
 */
export const INPUTS = { ...inputs, ...governanceInputs } satisfies Record<OperationId, OperationInput>;

/** What one operation takes and answers, as the OpenAPI document shows it. */
export interface OperationContract extends OperationInput {
  readonly summary: string;
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
  health: {
    ...INPUTS.health,
    summary: "Liveness and the deployed version",
    responses: { 200: HealthViewSchema },
    errors: [],
  },
  getOpenApi: {
    ...INPUTS.getOpenApi,
    summary: "This API's OpenAPI 3.1 document",
    responses: { 200: OpenApiDocumentSchema },
    errors: [],
  },
  whoami: {
    ...INPUTS.whoami,
    summary: "The caller as the server identifies it",
    responses: { 200: WhoamiViewSchema },
    errors: [],
  },
  createTask: {
    ...INPUTS.createTask,
    summary: "Register a task (idempotent with the same task_id and body)",
    responses: { 201: TaskViewSchema, 200: TaskViewSchema },
    errors: ["TASK_EXISTS", "FORBIDDEN_BY_SETTINGS"],
  },
  evaluateToolCall: {
    ...INPUTS.evaluateToolCall,
    summary: "Evaluate a tool call: ALLOW, DENY or REQUIRE_APPROVAL",
    responses: { 200: EvaluationResponseSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  finishTask: {
    ...INPUTS.finishTask,
    summary: "End the task as its agent",
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE"],
  },
  reportOutcome: {
    ...INPUTS.reportOutcome,
    summary: "Record what became of an allowed call evaluated with track_outcome",
    responses: { 200: OutcomeViewSchema },
    errors: ["TASK_NOT_FOUND", "CALL_NOT_FOUND"],
  },
  withdrawApproval: {
    ...INPUTS.withdrawApproval,
    summary: "Withdraw the agent's own pending request; it ends CANCELLED with the agent as actor",
    responses: { 200: ApprovalViewSchema },
    errors: ["TASK_NOT_FOUND", "REQUEST_NOT_FOUND", "REQUEST_ALREADY_DECIDED"],
  },
  getApproval: {
    ...INPUTS.getApproval,
    summary: "Read an approval request, long-polling up to wait_s seconds for a decision",
    responses: { 200: ApprovalViewSchema },
    errors: ["TASK_NOT_FOUND", "REQUEST_NOT_FOUND"],
  },
  getTask: {
    ...INPUTS.getTask,
    summary: "The task view",
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  listEvents: {
    ...INPUTS.listEvents,
    summary: "The task's hash-chained ledger, one page",
    responses: { 200: EventsPageSchema },
    errors: ["TASK_NOT_FOUND"],
  },
  listPending: {
    ...INPUTS.listPending,
    summary: "The caller's pending approvals, soonest deadline first",
    responses: { 200: PendingPageSchema },
    errors: [],
  },
  approve: {
    ...INPUTS.approve,
    summary: "Approve a request, optionally granting a wider scope",
    responses: { 200: ApprovalViewSchema },
    errors: APPROVE_ERRORS,
  },
  deny: {
    ...INPUTS.deny,
    summary: "Deny a request; the reason reaches the agent",
    responses: { 200: ApprovalViewSchema },
    errors: TASK_DECISION_ERRORS,
  },
  cancelTask: {
    ...INPUTS.cancelTask,
    summary: "Kill switch: cancel the task and its pending requests",
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE"],
  },
  revokeGrant: {
    ...INPUTS.revokeGrant,
    summary: "Drop a grant the task holds",
    responses: { 200: TaskViewSchema },
    errors: ["TASK_NOT_FOUND", "TASK_NOT_ACTIVE", "GRANT_NOT_FOUND"],
  },
  getPolicies: {
    ...INPUTS.getPolicies,
    summary: "The rules in force for a repo (built-ins are version 0)",
    responses: { 200: PolicyViewSchema },
    errors: [],
  },
  publishPolicies: {
    ...INPUTS.publishPolicies,
    summary: "Publish a new immutable policy version (admins)",
    responses: { 200: PublishedPoliciesSchema },
    errors: ["POLICY_INVALID"],
  },
  dryRunPolicies: {
    ...INPUTS.dryRunPolicies,
    summary: "What the repo's policies, or candidate text, would decide; writes nothing",
    responses: { 200: DryRunResultSchema },
    errors: ["POLICY_INVALID"],
  },
  getSettings: {
    ...INPUTS.getSettings,
    summary: "The settings new tasks of a repo (or layer) are registered under, and where they come from",
    responses: { 200: SettingsViewSchema },
    errors: [],
  },
  publishSettings: {
    ...INPUTS.publishSettings,
    summary: "Publish a layer's next immutable settings version (admins); 422 lists every problem",
    responses: { 200: SettingsViewSchema },
    errors: ["SETTINGS_INVALID"],
  },
  placeLock: {
    ...INPUTS.placeLock,
    summary: "Lock every task, a repo or prefix, or an agent: its evaluations answer DENY (admins)",
    responses: { 201: LockViewSchema },
    errors: [],
  },
  listLocks: {
    ...INPUTS.listLocks,
    summary: "The locks in force, oldest first",
    responses: { 200: LocksPageSchema },
    errors: [],
  },
  listLockEvents: {
    ...INPUTS.listLockEvents,
    summary: "The lock ledger: every lock placed, lifted or expired, hash-chained",
    responses: { 200: EventsPageSchema },
    errors: [],
  },
  liftLock: {
    ...INPUTS.liftLock,
    summary: "Lift a lock; evaluations it stopped are judged as before (admins)",
    responses: { 200: LockViewSchema },
    errors: ["LOCK_NOT_FOUND"],
  },
  linkSlack: {
    ...INPUTS.linkSlack,
    summary: "Link the caller's Slack account with the code `/gates link` showed",
    responses: { 200: SlackLinkViewSchema },
    errors: ["SLACK_ALREADY_LINKED"],
  },
  unlinkSlack: {
    ...INPUTS.unlinkSlack,
    summary: "Unlink every Slack account linked to the caller",
    responses: { 200: SlackUnlinkViewSchema },
    errors: [],
  },
  slackInteractions: {
    ...INPUTS.slackInteractions,
    summary: "Slack's button clicks and modal submits (signed by Slack)",
    responses: { 200: SlackAckSchema },
    errors: [],
  },
  slackCommands: {
    ...INPUTS.slackCommands,
    summary: "Slack's /gates slash command (signed by Slack)",
    responses: { 200: SlackAckSchema },
    errors: [],
  },
} as const satisfies Record<OperationId, OperationContract>;
