import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { ensureTables } from "../../../lambdas/adapters/dynamo/create-tables";
import { type TableNames, tableNames } from "../../../lambdas/adapters/dynamo/tables";

/** The variable through which test workers find the run's DynamoDB Local. */
export const DYNAMO_ENDPOINT_ENV = "GATES_TEST_DYNAMO_ENDPOINT";

/** Clients connected to the run's DynamoDB Local and a set of tables no other test uses. */
export interface FreshTables {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly names: TableNames;
}

/** The endpoint of the run's DynamoDB Local, which the integration project's global setup starts. */
export function testDynamoEndpoint(): string {
  const endpoint = process.env[DYNAMO_ENDPOINT_ENV];
  if (endpoint === undefined || endpoint === "") {
    throw new Error(
      `${DYNAMO_ENDPOINT_ENV} is not set: run integration tests with the integration project's globalSetup.`,
    );
  }
  return endpoint;
}

/** A unique table-name prefix, so test files in parallel workers never share state. */
export function uniquePrefix(): string {
  return `it-${randomUUID().slice(0, 8)}`;
}

/** Creates every table under a new unique prefix and returns clients for them. */
export async function freshTables(): Promise<FreshTables> {
  const { client, doc } = createDynamoClients({ region: "local", endpoint: testDynamoEndpoint() });
  const names = tableNames(uniquePrefix());
  await ensureTables(client, names);
  return { client, doc, names };
}
