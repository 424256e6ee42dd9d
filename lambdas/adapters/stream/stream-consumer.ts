import type { AttributeValue as SdkAttributeValue } from "@aws-sdk/client-dynamodb";
import type {
  AttributeValue as SdkStreamAttributeValue,
  _Record as SdkStreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as StreamAttributeValue,
} from "aws-lambda";
// zod/mini: the same checks at a twentieth of the bundle size, for the stream consumers' small Lambdas.
import * as z from "zod/mini";
import type { LedgerEvent } from "../../core/ledger";
import { LedgerEventSchema } from "../dynamo/ledger-event-schemas";

/**
 * A consumer of Events-stream batches, with Lambda's handler signature; failed records are reported by
 * sequence number, so the caller retries from the earliest of them.
 */
export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * Lambda's stream images and the SDK's attribute values agree on every member except binary ones, which
 * Lambda (and our poller, to match it) carries as base64 strings where the SDK expects bytes. Ledger
 * events hold no binary attributes, and `unmarshall` passes a string `B` through unchanged, so the cast is
 * safe for them; anything binary would surface as its base64 text rather than bytes.
 */
function toSdkImage(image: Record<string, StreamAttributeValue>): Record<string, SdkAttributeValue> {
  return image as Record<string, SdkAttributeValue>;
}

/**
 * Reads the ledger event carried by a stream record's NEW_IMAGE, or undefined for records without one
 * (e.g. REMOVE).
 *
 * @throws when the image is not a ledger event, so a consumer fails the record rather than skip it
 */
export function ledgerEventOf(record: DynamoDBRecord): LedgerEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (image === undefined) return undefined;
  const parsed = LedgerEventSchema.safeParse(unmarshall(toSdkImage(image)));
  if (!parsed.success) {
    const sequence = record.dynamodb?.SequenceNumber ?? "unknown";
    throw new Error(`stream record ${sequence} is not a ledger event: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** One record of a batch, read: its position, and its ledger event or why it is not one. */
export type LedgerRecord =
  | { readonly sequence: string; readonly event?: LedgerEvent; readonly unreadable?: undefined }
  | { readonly sequence: string; readonly event?: undefined; readonly unreadable: unknown };

/**
 * Reads every record of a batch, in order: a record without a NEW_IMAGE has no event, and one whose
 * image is not a ledger event is marked unreadable (never skipped), for the consumer to fail.
 * An empty `sequence` makes the caller fail the whole batch, which is right for a record it cannot name.
 */
export function readLedgerRecords(event: DynamoDBStreamEvent): LedgerRecord[] {
  return event.Records.map((record) => {
    const sequence = record.dynamodb?.SequenceNumber ?? "";
    try {
      const ledgerEvent = ledgerEventOf(record);
      return ledgerEvent === undefined ? { sequence } : { sequence, event: ledgerEvent };
    } catch (error) {
      return { sequence, unreadable: error };
    }
  });
}

/** The partial batch response failing `records`, in stream order; the caller retries from the first. */
export function partialBatchResponse(
  records: readonly Pick<LedgerRecord, "sequence">[],
): DynamoDBBatchResponse {
  return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.sequence })) };
}

/** Options of {@link perEventConsumer}. */
export interface PerEventConsumerOptions {
  /**
   * Told about every record that fails, since the batch response carries only its sequence number.
   * @default failures are reported only through `batchItemFailures`
   */
  readonly onFailure?: (error: unknown, record: DynamoDBRecord) => void;
}

/**
 * Builds a consumer from a per-event handler: records are handled one at a time in stream order, each
 * independently; a throw fails only that record (its SequenceNumber goes into `batchItemFailures`).
 * Records without a NEW_IMAGE are skipped. The caller redelivers from the earliest failed record, so a
 * handler sees later records again and must be idempotent.
 */
export function perEventConsumer(
  handle: (event: LedgerEvent) => Promise<void>,
  options: PerEventConsumerOptions = {},
): StreamConsumer {
  return async (event) => {
    const failed: LedgerRecord[] = [];
    for (const [i, read] of readLedgerRecords(event).entries()) {
      try {
        if (read.unreadable !== undefined) throw read.unreadable;
        if (read.event !== undefined) await handle(read.event);
      } catch (error) {
        const record = event.Records[i];
        if (record) options.onFailure?.(error, record);
        failed.push(read);
      }
    }
    return partialBatchResponse(failed);
  };
}

/**
 * Shapes a DynamoDB Streams record (as the SDK's GetRecords returns it) the way Lambda's event source
 * mapping delivers it to a consumer, so a local poller can feed consumers exactly what AWS would.
 */
export function toLambdaStreamRecord(record: SdkStreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb;
  const created = stream?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: "aws:dynamodb",
    eventSourceARN: streamArn,
    awsRegion: record.awsRegion,
    dynamodb: {
      // Lambda gives whole epoch seconds where the SDK gives a Date.
      ...(created === undefined ? {} : { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
      ...(stream?.Keys === undefined ? {} : { Keys: toLambdaImage(stream.Keys) }),
      ...(stream?.NewImage === undefined ? {} : { NewImage: toLambdaImage(stream.NewImage) }),
      ...(stream?.OldImage === undefined ? {} : { OldImage: toLambdaImage(stream.OldImage) }),
      SequenceNumber: stream?.SequenceNumber,
      SizeBytes: stream?.SizeBytes,
      StreamViewType: stream?.StreamViewType,
    },
  };
}

function toLambdaImage(image: Record<string, SdkStreamAttributeValue>): Record<string, StreamAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

/** Lambda's JSON carries binary values as base64 strings where the SDK gives bytes. */
function toLambdaValue(value: SdkStreamAttributeValue): StreamAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString("base64")) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  // NULL, and a type newer than the SDK (handed over as `$unknown`), which Lambda could not show either.
  return { NULL: true };
}
