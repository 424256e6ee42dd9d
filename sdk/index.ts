/** The agent client for Approval Gates. */

/** Checks exported events against a task's head, with no server: the same check as `verifyLedger`. */
export { verifyLedger } from "../lambdas/core/ledger";
export type { AwsCredentials, GatesAuth } from "./auth";
export { type ApiErrorCode, type ClientErrorCode, GatesApiError } from "./gates-api-error";
export { GatesClient, type GatesClientOptions, type GuardOptions } from "./gates-client";
export type { RetryOptions } from "./http-transport";
export type * from "./types";
