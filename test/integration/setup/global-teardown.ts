import { DYNAMO_ENDPOINT_ENV } from "./dynamo";

/** Stops the DynamoDB Local that the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const dynamo = globalThis.gatesDynamoDbLocal;
  globalThis.gatesDynamoDbLocal = undefined;
  // Watch mode runs setup again in this process, which must not see a stopped endpoint.
  delete process.env[DYNAMO_ENDPOINT_ENV];
  await dynamo?.stop();
}
