import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Where the DynamoDB clients connect. */
export interface DynamoConfig {
  readonly region: string;
  /**
   * A DynamoDB Local endpoint such as "http://127.0.0.1:8000". When set (and not empty), the
   * clients sign with dummy credentials, because DynamoDB Local accepts any.
   * @default the regional AWS endpoint, with the default credential chain
   */
  readonly endpoint?: string;
  /**
   * Attempts per request, including the first.
   * @default 3
   */
  readonly maxAttempts?: number;
}

/** The low-level client and a document client over it that share one connection pool. */
export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
}

/** Static credentials for DynamoDB Local, which checks only that keys are alphanumeric. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

function connection(config: DynamoConfig) {
  return {
    region: config.region,
    maxAttempts: config.maxAttempts ?? 3,
    ...(config.endpoint ? { endpoint: config.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
  };
}

/** Builds the DynamoDB clients; with {@link createDynamoStreamsClient}, the one place an endpoint is chosen. */
export function createDynamoClients(config: DynamoConfig): DynamoClients {
  const client = new DynamoDBClient(connection(config));
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc };
}

/**
 * Builds a DynamoDB Streams client for local mode's stream poller. It is separate from
 * {@link createDynamoClients} because in AWS the Lambda event source mapping reads the stream,
 * so handlers never need it.
 */
export function createDynamoStreamsClient(config: DynamoConfig): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(connection(config));
}
