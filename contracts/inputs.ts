/**
 * What each operation takes, declared once per operation: the router checks every part
 * against these schemas before the operation runs, the operation reads the parsed values,
 * and the OpenAPI document shows the same schemas. One export per operation, named after
 * it (and nothing else exported as a value), so a Lambda's bundle keeps only the schemas of
 * the operations it serves and `INPUTS` is exactly the operations.
 */
import type * as z from "zod/mini";
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
import { LAYER_PATH, REQUEST_PATH, TASK_PATH } from "./path-params";

/** The parts of a request an operation takes, each with its schema. */
export interface OperationInput {
  /** Path parameters by name: exactly those the route's path names. */
  readonly path?: Readonly<Record<string, z.core.$ZodType<string, string>>>;
  readonly query?: z.core.$ZodType;
  /** The JSON body. */
  readonly body?: z.core.$ZodType;
  /** A body taken as received, unparsed: Slack signs its form posts byte for byte. */
  readonly rawBody?: "application/x-www-form-urlencoded";
  /**
   * The error a body that fails its schema answers, for documents whose every problem is
   * one 422. @default VALIDATION_ERROR
   */
  readonly invalidBody?: "SETTINGS_INVALID";
}

export const health = {} as const satisfies OperationInput;
export const getOpenApi = {} as const satisfies OperationInput;
export const whoami = { query: EmptyQuerySchema } as const satisfies OperationInput;
export const createTask = { body: CreateTaskBodySchema } as const satisfies OperationInput;
export const evaluateToolCall = {
  path: TASK_PATH,
  body: EvaluateBodySchema,
} as const satisfies OperationInput;
export const finishTask = { path: TASK_PATH, body: FinishBodySchema } as const satisfies OperationInput;
export const reportOutcome = {
  path: TASK_PATH,
  body: ReportOutcomeBodySchema,
} as const satisfies OperationInput;
export const withdrawApproval = {
  path: REQUEST_PATH,
  body: WithdrawBodySchema,
} as const satisfies OperationInput;
export const getApproval = { path: REQUEST_PATH, query: WaitQuerySchema } as const satisfies OperationInput;
export const getTask = { path: TASK_PATH, query: EmptyQuerySchema } as const satisfies OperationInput;
export const listEvents = { path: TASK_PATH, query: EventsQuerySchema } as const satisfies OperationInput;
export const listPending = { query: PendingQuerySchema } as const satisfies OperationInput;
export const approve = { path: TASK_PATH, body: ApproveBodySchema } as const satisfies OperationInput;
export const deny = { path: TASK_PATH, body: DenyBodySchema } as const satisfies OperationInput;
export const cancelTask = { path: TASK_PATH, body: CancelBodySchema } as const satisfies OperationInput;
export const revokeGrant = { path: TASK_PATH, body: RevokeGrantBodySchema } as const satisfies OperationInput;
export const getPolicies = { path: LAYER_PATH, query: EmptyQuerySchema } as const satisfies OperationInput;
export const publishPolicies = {
  path: LAYER_PATH,
  body: PublishPoliciesBodySchema,
} as const satisfies OperationInput;
export const dryRunPolicies = { path: LAYER_PATH, body: DryRunBodySchema } as const satisfies OperationInput;
export const linkSlack = { body: SlackLinkBodySchema } as const satisfies OperationInput;
export const unlinkSlack = {
  body: EmptyBodySchema,
  query: EmptyQuerySchema,
} as const satisfies OperationInput;
export const slackInteractions = {
  rawBody: "application/x-www-form-urlencoded",
} as const satisfies OperationInput;
export const slackCommands = {
  rawBody: "application/x-www-form-urlencoded",
} as const satisfies OperationInput;
