import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { createDynamoClients, createDynamoStreamsClient } from "../../lambdas/adapters/dynamo/clients";
import { ensureTables } from "../../lambdas/adapters/dynamo/create-tables";
import {
  PENDING_EXPIRY_INDEX,
  TABLE_LOGICAL_NAMES,
  TABLES,
  type TableDef,
  type TableNames,
  tableNames,
} from "../../lambdas/adapters/dynamo/tables";
import { freshTables, testDynamoEndpoint, uniquePrefix } from "./setup/dynamo";

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let names: TableNames;

beforeAll(async () => {
  ({ client, doc, names } = await freshTables());
});

afterAll(() => {
  client.destroy();
});

function expectedKeySchema(def: Pick<TableDef, "partitionKey" | "sortKey">) {
  return [
    { AttributeName: def.partitionKey.name, KeyType: "HASH" },
    ...(def.sortKey === undefined ? [] : [{ AttributeName: def.sortKey.name, KeyType: "RANGE" }]),
  ];
}

describe("ensureTables", () => {
  it.each(TABLE_LOGICAL_NAMES)("creates %s with its keys, indexes and TTL", async (logical) => {
    // Prepare
    const def = TABLES[logical];

    // Act
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: names[logical] }));
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: names[logical] }),
    );

    // Assess
    expect(table?.TableStatus).toBe("ACTIVE");
    expect(table?.KeySchema).toEqual(expectedKeySchema(def));
    const indexes = (table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema,
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes).toEqual(
      def.globalIndexes.map((index) => ({
        name: index.indexName,
        keys: expectedKeySchema(index),
        projection: "ALL",
      })),
    );
    const keyTypes = Object.fromEntries(
      (table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]),
    );
    for (const key of [
      def.partitionKey,
      def.sortKey,
      ...def.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]) {
      if (key !== undefined) expect(keyTypes[key.name]).toBe(key.type);
    }
    if (def.ttlAttribute === undefined) {
      expect(ttl?.TimeToLiveStatus).toBe("DISABLED");
    } else {
      expect(ttl).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: def.ttlAttribute });
    }
  });

  it("gives Events, and only Events, a NEW_IMAGE stream", async () => {
    // Act
    const streams = await Promise.all(
      TABLE_LOGICAL_NAMES.map(async (logical) => {
        const { Table: table } = await client.send(new DescribeTableCommand({ TableName: names[logical] }));
        return [logical, table?.StreamSpecification, table?.LatestStreamArn] as const;
      }),
    );

    // Assess
    for (const [logical, spec, arn] of streams) {
      if (logical === "Events") {
        expect(spec).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
        expect(arn).toEqual(expect.any(String));
      } else {
        expect(spec?.StreamEnabled ?? false).toBe(false);
      }
    }
  });

  it("is a no-op when every table exists", async () => {
    // Prepare
    const send = jest.spyOn(client, "send");

    // Act
    await ensureTables(client, names);

    // Assess
    const created = send.mock.calls.filter(([command]) => command instanceof CreateTableCommand);
    send.mockRestore();
    expect(created).toHaveLength(0);
  });

  it("succeeds for two callers creating the same tables at once", async () => {
    // Prepare
    const other = tableNames(uniquePrefix());
    const second = createDynamoClients({ region: "local", endpoint: testDynamoEndpoint() });

    // Act
    const results = await Promise.allSettled([
      ensureTables(client, other),
      ensureTables(second.client, other),
    ]);
    second.client.destroy();

    // Assess
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    const { Table: approvals } = await client.send(new DescribeTableCommand({ TableName: other.Approvals }));
    expect(approvals?.TableStatus).toBe("ACTIVE");
  });
});

describe("DynamoDB Local", () => {
  it("keeps the pending-expiry index sparse", async () => {
    // Prepare
    const common = { task_id: "task-sparse", expires_at: "2026-01-01T00:00:00.000Z", status: "PENDING" };
    await doc.send(
      new PutCommand({
        TableName: names.Approvals,
        Item: { ...common, request_id: "r1", expiry_bucket: "P3" },
      }),
    );
    await doc.send(new PutCommand({ TableName: names.Approvals, Item: { ...common, request_id: "r2" } }));

    // Act
    const { Items: items } = await doc.send(
      new QueryCommand({
        TableName: names.Approvals,
        IndexName: PENDING_EXPIRY_INDEX,
        KeyConditionExpression: "expiry_bucket = :bucket AND expires_at < :now",
        ExpressionAttributeValues: { ":bucket": "P3", ":now": "2027-01-01T00:00:00.000Z" },
      }),
    );

    // Assess
    expect(items?.map((item) => item.request_id)).toEqual(["r1"]);
  });

  it("delivers a new event's image on the Events stream", async () => {
    // Prepare
    const streams = createDynamoStreamsClient({ region: "local", endpoint: testDynamoEndpoint() });
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: names.Events }));
    await doc.send(
      new PutCommand({
        TableName: names.Events,
        Item: { task_id: "task-stream", seq: 1, type: "task.created" },
      }),
    );

    // Act
    const { StreamDescription: stream } = await streams.send(
      new DescribeStreamCommand({ StreamArn: table?.LatestStreamArn }),
    );
    const { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: table?.LatestStreamArn,
        ShardId: stream?.Shards?.[0]?.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const { Records: records } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    streams.destroy();

    // Assess
    expect(records?.map((r) => [r.eventName, r.dynamodb?.StreamViewType, r.dynamodb?.NewImage])).toEqual([
      [
        "INSERT",
        "NEW_IMAGE",
        { task_id: { S: "task-stream" }, seq: { N: "1" }, type: { S: "task.created" } },
      ],
    ]);
  });

  it("cancels a transaction whose condition fails and says which item failed", async () => {
    // Prepare
    await doc.send(new PutCommand({ TableName: names.Tasks, Item: { task_id: "task-tx", version: 2 } }));

    // Act
    const attempt = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: names.Events,
              Item: { task_id: "task-tx", seq: 2, type: "tool_call.evaluated" },
              ConditionExpression: "attribute_not_exists(seq)",
            },
          },
          {
            Update: {
              TableName: names.Tasks,
              Key: { task_id: "task-tx" },
              UpdateExpression: "SET version = :next",
              ConditionExpression: "version = :read",
              ExpressionAttributeValues: { ":read": 1, ":next": 2 },
            },
          },
        ],
      }),
    );
    const error: unknown = await attempt.catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
    expect(reasons?.map((r) => r.Code)).toEqual(["None", "ConditionalCheckFailed"]);
    const { Item: event } = await doc.send(
      new GetCommand({ TableName: names.Events, Key: { task_id: "task-tx", seq: 2 } }),
    );
    expect(event).toBeUndefined();
  });
});
