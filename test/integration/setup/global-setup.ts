import { type DynamoDbLocal, startDynamoDbLocal } from "../../../local/dynamodb-local";
import { DYNAMO_ENDPOINT_ENV } from "./dynamo";

declare global {
  /** The DynamoDB Local of this jest run, kept for the global teardown in the same process. */
  var gatesDynamoDbLocal: DynamoDbLocal | undefined;
}

/** Starts one in-memory DynamoDB Local for the whole jest run. */
export default async function globalSetup(): Promise<void> {
  // Jest runs a setup given on the command line once for the run and once per project.
  const dynamo = globalThis.gatesDynamoDbLocal ?? (await startDynamoDbLocal());
  globalThis.gatesDynamoDbLocal = dynamo;
  // Workers are forked after global setup, so they inherit this.
  process.env[DYNAMO_ENDPOINT_ENV] = dynamo.endpoint;
}
