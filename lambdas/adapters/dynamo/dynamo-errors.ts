import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import * as z from "zod/mini";
import { GatesError, ServiceUnavailableError } from "../../core/errors";
import type { TableName } from "./tables";

/*
 * Every way a DynamoDB read or write can fail reaches the core as one error: SERVICE_UNAVAILABLE, which
 * agents treat as a DENY. The call's own failure and an item that cannot be read are mapped here, and
 * only here.
 */

/** Runs a DynamoDB call; any failure that is not already ours becomes SERVICE_UNAVAILABLE (fail closed). */
export async function callDynamo<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof GatesError) throw error;
    throw new ServiceUnavailableError(error);
  }
}

/** One kind of stored item: its table, the attributes of its key, and the schema that maps it to its record. */
export interface ItemKind<T> {
  readonly table: TableName;
  readonly key: readonly string[];
  readonly schema: z.ZodMiniType<T>;
}

/**
 * Why a stored item could not be read: its table, its key and the fields that do not match, never
 * their values, which may hold tool input.
 */
export class UnreadableItemError extends Error {
  readonly table: TableName;
  readonly key: Readonly<Record<string, unknown>>;
  /** The paths of the fields that do not match, each with what was wrong: `grants[0].scope: invalid_type, expected string`. */
  readonly fields: readonly string[];

  constructor(
    kind: ItemKind<unknown>,
    item: Readonly<Record<string, unknown>>,
    issues: readonly z.core.$ZodIssue[],
  ) {
    const key = Object.fromEntries(kind.key.map((name) => [name, item[name]]));
    const fields = issues.map(
      (i) => `${fieldOf(i.path)}: ${i.code}${i.code === "invalid_type" ? `, expected ${i.expected}` : ""}`,
    );
    super(`${kind.table} item ${JSON.stringify(key)} does not match its schema at ${fields.join("; ")}`);
    this.name = "UnreadableItemError";
    this.table = kind.table;
    this.key = key;
    this.fields = fields;
  }
}

/**
 * Maps a stored item to its record. An item that does not match its schema fails closed, like any other
 * store failure: SERVICE_UNAVAILABLE, with an {@link UnreadableItemError} as its cause for the log.
 */
export function readItem<T>(kind: ItemKind<T>, item: Readonly<Record<string, unknown>>): T {
  const read = z.safeParse(kind.schema, item);
  if (read.success) return read.data;
  throw new ServiceUnavailableError(new UnreadableItemError(kind, item, read.error.issues));
}

/** A field's path as the API's validation errors write it: `policy_layers[0].version`. */
function fieldOf(path: readonly PropertyKey[]): string {
  let field = "";
  for (const part of path)
    field += typeof part === "number" ? `[${part}]` : `${field === "" ? "" : "."}${String(part)}`;
  return field || "(the item)";
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
