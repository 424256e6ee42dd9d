import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { type KeyDef, TABLE_LOGICAL_NAMES, TABLES, type TableDef, type TableNames } from "./tables";

/** How long to wait for a new table to become ACTIVE; DynamoDB Local is instant, AWS takes seconds. */
const ACTIVE_WAIT_S = 120;

/**
 * Creates every table that does not exist yet and waits until all are ACTIVE, then makes sure
 * TTL is on where the table defines it. Existing tables keep their keys; running this twice, or
 * twice at once, is safe.
 */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    TABLE_LOGICAL_NAMES.map((logical) => ensureTable(client, TABLES[logical], names[logical])),
  );
}

async function ensureTable(client: DynamoDBClient, def: TableDef, tableName: string): Promise<void> {
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(createTableInput(def, tableName)));
    } catch (error) {
      // Another process created it between our describe and create; its definition is the same.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilTableExists({ client, minDelay: 1, maxWaitTime: ACTIVE_WAIT_S }, { TableName: tableName });
  if (def.ttlAttribute !== undefined) await ensureTimeToLive(client, tableName, def.ttlAttribute);
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

function createTableInput(def: TableDef, tableName: string): CreateTableCommandInput {
  const keys = [
    def.partitionKey,
    def.sortKey,
    ...def.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of keys) {
    if (key !== undefined) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    AttributeDefinitions: [...attributes.values()],
    ...(def.globalIndexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: def.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection },
          })),
        }),
    ...(def.stream === undefined
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }),
  };
}

function keySchema(partitionKey: KeyDef, sortKey: KeyDef | undefined): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: "HASH" }];
  if (sortKey !== undefined) schema.push({ AttributeName: sortKey.name, KeyType: "RANGE" });
  return schema;
}

async function ensureTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  if (await timeToLiveIsOn(client, tableName, attribute)) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent caller may have enabled it first, which DynamoDB refuses to do twice.
    if (!(await timeToLiveIsOn(client, tableName, attribute))) throw error;
  }
}

async function timeToLiveIsOn(
  client: DynamoDBClient,
  tableName: string,
  attribute: string,
): Promise<boolean> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const on = ttl?.TimeToLiveStatus === "ENABLED" || ttl?.TimeToLiveStatus === "ENABLING";
  return on && ttl?.AttributeName === attribute;
}
