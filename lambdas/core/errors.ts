/**
 * Errors the core raises when a request cannot be served. Each carries the contract's error
 * code; the HTTP status lives only at the edge (`adapters/http`). Messages of 4xx errors are
 * shown to the caller, so they say what was wrong and how to fix it.
 */
export abstract class GatesError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export type ErrorCode =
  | "INVALID_JSON"
  | "VALIDATION_ERROR"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "FORBIDDEN_BY_SETTINGS"
  | "SEPARATION_OF_DUTIES"
  | "REAUTHENTICATION_REQUIRED"
  | "NOT_FOUND"
  | "TASK_NOT_FOUND"
  | "REQUEST_NOT_FOUND"
  | "GRANT_NOT_FOUND"
  | "CALL_NOT_FOUND"
  | "LOCK_NOT_FOUND"
  | "TASK_EXISTS"
  | "REQUEST_ALREADY_DECIDED"
  | "ALREADY_VOTED"
  | "LOCKED"
  | "TASK_NOT_ACTIVE"
  | "SLACK_ALREADY_LINKED"
  | "PAYLOAD_TOO_LARGE"
  | "POLICY_INVALID"
  | "SETTINGS_INVALID"
  | "RATE_LIMITED"
  | "INTERNAL_ERROR"
  | "SERVICE_UNAVAILABLE";

export class InvalidJsonError extends GatesError {
  readonly code = "INVALID_JSON";
}

/** One invalid field: its path (`tool_input`, `approvers[2]`) and what is wrong with it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class ValidationError extends GatesError {
  readonly code = "VALIDATION_ERROR";
  constructor(
    message: string,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message, { fields });
  }
}

export class UnauthenticatedError extends GatesError {
  readonly code = "UNAUTHENTICATED";
}

export class ForbiddenError extends GatesError {
  readonly code = "FORBIDDEN";
}

/**
 * The caller is who they say, but their sign-in is too old for what they ask: approving a
 * critical request needs a recent authentication. The client should sign the human in again
 * (not refresh the token, which keeps the old authentication time) and retry.
 */
export class ReauthenticationRequiredError extends GatesError {
  readonly code = "REAUTHENTICATION_REQUIRED";
  constructor(message: string, details: { max_age_s: number; auth_time?: string }) {
    super(message, details);
  }
}

export class RouteNotFoundError extends GatesError {
  readonly code = "NOT_FOUND";
}

export class TaskNotFoundError extends GatesError {
  readonly code = "TASK_NOT_FOUND";
  constructor(taskId: string) {
    super(`No task "${taskId}" is visible to you; check the id (gates pending lists what you can act on).`);
  }
}

export class RequestNotFoundError extends GatesError {
  readonly code = "REQUEST_NOT_FOUND";
  constructor(taskId: string, requestId: string) {
    super(
      `Task "${taskId}" has no approval request "${requestId}" that you can act on; check the request id.`,
    );
  }
}

export class GrantNotFoundError extends GatesError {
  readonly code = "GRANT_NOT_FOUND";
  constructor(scope: string) {
    super(`The task holds no grant "${scope}"; GET the task to see its grants.`);
  }
}

/** An outcome names a call that is not an allowed call of the task still waiting for its outcome. */
export class CallNotFoundError extends GatesError {
  readonly code = "CALL_NOT_FOUND";
  constructor(taskId: string, call: string, kept: number) {
    super(
      `Task "${taskId}" has no allowed call ${call} waiting for an outcome: it was not allowed, its outcome is already recorded, or it is older than the last ${kept} allowed calls.`,
    );
  }
}

export class TaskExistsError extends GatesError {
  readonly code = "TASK_EXISTS";
  constructor(taskId: string) {
    super(
      `Task id "${taskId}" is taken by another agent or was registered with a different body; pick a new task_id or omit it.`,
    );
  }
}

export class RequestAlreadyDecidedError extends GatesError {
  readonly code = "REQUEST_ALREADY_DECIDED";
  constructor(
    requestId: string,
    readonly status: string,
  ) {
    super(`Approval request "${requestId}" is already ${status}; it can no longer be approved or denied.`, {
      status,
    });
  }
}

export class TaskNotActiveError extends GatesError {
  readonly code = "TASK_NOT_ACTIVE";
  constructor(
    taskId: string,
    readonly status: string,
  ) {
    super(`Task "${taskId}" is ${status}; it can no longer change.`, { status });
  }
}

export class SlackAlreadyLinkedError extends GatesError {
  readonly code = "SLACK_ALREADY_LINKED";
}

export class PayloadTooLargeError extends GatesError {
  readonly code = "PAYLOAD_TOO_LARGE";
}

export class PolicyInvalidError extends GatesError {
  readonly code = "POLICY_INVALID";
  constructor(diagnostics: readonly { rule_id?: string; message: string }[]) {
    super(`The policy text was rejected with ${diagnostics.length} problem(s); see details.diagnostics.`, {
      diagnostics,
    });
  }
}

/** A registration the repo's settings do not allow; `details.refusals` names each field and setting. */
export class ForbiddenBySettingsError extends GatesError {
  readonly code = "FORBIDDEN_BY_SETTINGS";
  constructor(
    readonly refusals: readonly { field: string; setting: string; message: string }[],
    settings: { layer: string; version: number },
  ) {
    const first = refusals[0];
    const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more; see details.refusals)` : "";
    super(`Refused by setting ${first?.setting ?? "?"}: ${first?.message ?? ""}${more}.`, {
      refusals,
      settings,
    });
  }
}

/** The owner tried to approve a request a rule reserves for someone else. */
export class SeparationOfDutiesError extends GatesError {
  readonly code = "SEPARATION_OF_DUTIES";
  constructor(requestId: string, ruleIds: readonly string[]) {
    super(
      `Request "${requestId}" matched ${ruleIds.join(", ")}, which needs an approver other than the task's owner (@approver_not_owner); ask another approver. You may still deny it.`,
      { rule_ids: [...ruleIds] },
    );
  }
}

export class AlreadyVotedError extends GatesError {
  readonly code = "ALREADY_VOTED";
  constructor(requestId: string, progress: string) {
    super(
      `You already approved request "${requestId}" (${progress}); another approver has to approve it too.`,
      { progress },
    );
  }
}

/** A lock stops the task: nothing may be approved for it until the lock is lifted. */
export class LockedError extends GatesError {
  readonly code = "LOCKED";
  constructor(taskId: string, lock: { lock_id: string; target: string; reason: string }) {
    super(
      `Task "${taskId}" is stopped by lock ${lock.lock_id} on ${lock.target} (${lock.reason}); it cannot be approved until an admin lifts the lock. You may still deny it.`,
      { lock_id: lock.lock_id, target: lock.target },
    );
  }
}

export class LockNotFoundError extends GatesError {
  readonly code = "LOCK_NOT_FOUND";
  constructor(lockId: string) {
    super(`No lock "${lockId}" is in force; GET /v1/locks lists them (gates locks).`);
  }
}

/** A settings document rejected; `details.problems` lists every field and what to fix. */
export class SettingsInvalidError extends GatesError {
  readonly code = "SETTINGS_INVALID";
  constructor(problems: readonly FieldProblem[]) {
    super(`The settings were rejected with ${problems.length} problem(s); see details.problems.`, {
      problems,
    });
  }
}

export class RateLimitedError extends GatesError {
  readonly code = "RATE_LIMITED";
  constructor(
    what: string,
    readonly retryAfterS: number,
  ) {
    super(`Too many ${what}; retry after ${retryAfterS} s.`);
  }
}

/** A dependency failed (DynamoDB, a lost version race past its retries). Agents treat it as DENY. */
export class ServiceUnavailableError extends GatesError {
  readonly code = "SERVICE_UNAVAILABLE";
  constructor(cause?: unknown) {
    super("The service is temporarily unavailable; treat this as a DENY and retry later.");
    this.cause = cause;
  }
}
