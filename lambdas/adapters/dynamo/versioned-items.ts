import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { callDynamo, type ItemKind, isConditionFailed, readItem } from "./dynamo-errors";

/*
 * Published policy and settings versions are immutable items: a partition per repo or layer, sorted
 * by `version`. Reading the newest and putting the next are the same two calls for both.
 */

/** The newest version stored under one partition key value, read consistently; undefined when there is none. */
export async function latestVersion<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  kind: ItemKind<T>,
  partition: { readonly attribute: string; readonly value: string },
): Promise<T | undefined> {
  const out = await callDynamo(() =>
    doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#p = :p",
        ExpressionAttributeNames: { "#p": partition.attribute },
        ExpressionAttributeValues: { ":p": partition.value },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    ),
  );
  const item = out.Items?.[0];
  return item ? readItem(kind, item) : undefined;
}

/**
 * Puts a version that must not exist yet: `exists` when another publisher took that version number
 * first, so the caller reads the newest again and retries with the next.
 */
export async function putNewVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: { readonly version: number },
): Promise<"created" | "exists"> {
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: "attribute_not_exists(version)",
      }),
    );
    return "created";
  } catch (error) {
    if (isConditionFailed(error)) return "exists";
    return callDynamo(() => Promise.reject(error));
  }
}
