/** The agent client for Approval Gates. */
export type { AwsCredentials, GatesAuth } from "./auth";
export { type ClientErrorCode, GatesApiError } from "./gates-api-error";
export { GatesClient, type GatesClientOptions, type GuardOptions } from "./gates-client";
export type { RetryOptions } from "./http-transport";
export type * from "./types";
