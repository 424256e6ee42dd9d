import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GatesError, ServiceUnavailableError } from "../../core/errors";

/** Runs a DynamoDB call; any failure that is not already ours becomes SERVICE_UNAVAILABLE (fail closed). */
export async function callDynamo<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof GatesError) throw error;
    throw new ServiceUnavailableError(error);
  }
}

/**
 * Whether a cancelled transaction lost to another writer: a failed condition (the task
 * version moved, a request was decided) or a concurrent transaction on the same items.
 * The caller re-reads and decides again, which yields the right 4xx if one applies.
 */
export function isLostRace(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
  return codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict");
}

export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
