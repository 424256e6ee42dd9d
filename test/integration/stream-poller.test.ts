import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandOutput,
} from "@aws-sdk/client-dynamodb-streams";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { createDynamoStreamsClient } from "../../lambdas/adapters/dynamo/clients";
import {
  ledgerEventOf,
  perEventConsumer,
  type StreamConsumer,
} from "../../lambdas/adapters/stream/stream-consumer";
import { chainEvent, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";
import { type StreamPoller, type StreamPollerOptions, startStreamPoller } from "../../local/stream-poller";
import { type FreshTables, freshTables, testDynamoEndpoint } from "./setup/dynamo";

let tables: FreshTables;
let streams: DynamoDBStreamsClient;
let scratch: string;
let dlqPath: string;
let poller: StreamPoller | undefined;
const reported: string[] = [];

beforeEach(async () => {
  // A fresh Events table per test, so every poller starts from an empty stream.
  tables = await freshTables();
  streams = createDynamoStreamsClient({ region: "local", endpoint: testDynamoEndpoint() });
  scratch = await mkdtemp(join(tmpdir(), "gates-stream-poller-"));
  dlqPath = join(scratch, "nested", "dlq.jsonl");
  reported.length = 0;
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  jest.restoreAllMocks();
  streams.destroy();
  tables.client.destroy();
  await rm(scratch, { recursive: true, force: true });
});

/** Writes `count` chained events for one task, one put at a time so the stream holds them in order. */
async function writeEvents(taskId: string, count: number): Promise<string[]> {
  const keys: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const at = new Date().toISOString();
    const event = chainEvent(prev, {
      task_id: taskId,
      seq,
      type: "tool_call.evaluated",
      at,
      actor: { kind: "agent", id: "agent-1" },
      data: { n: seq },
    });
    prev = event.hash;
    await tables.doc.send(new PutCommand({ TableName: tables.names.Events, Item: event }));
    keys.push(keyOf(event));
  }
  return keys;
}

const keyOf = (event: LedgerEvent): string => `${event.task_id}#${event.seq}`;

function start(consumers: Record<string, StreamConsumer>, options: Partial<StreamPollerOptions> = {}) {
  return startStreamPoller({
    dynamo: tables.client,
    streams,
    tableName: tables.names.Events,
    consumers,
    dlqPath,
    batchSize: 10,
    retryBackoffMs: () => 0,
    pollIntervalMs: 20,
    onError: (message) => reported.push(message),
    ...options,
  }).then((started) => {
    poller = started;
    return started;
  });
}

/** A consumer that records every event it handled successfully, in order. */
function recorder(fail: (event: LedgerEvent) => boolean = () => false) {
  const handled: string[] = [];
  const attempts = new Map<string, number>();
  const consumer = perEventConsumer(async (event) => {
    const key = keyOf(event);
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    if (fail(event)) throw new Error(`refusing ${key}`);
    handled.push(key);
  });
  return { consumer, handled, attempts };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function dlqLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(dlqPath, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

describe("startStreamPoller", () => {
  it("delivers every record once, in order, to each of two independent consumers", async () => {
    // Prepare
    const first = recorder();
    const second = recorder();
    const written = [...(await writeEvents("task-a", 17)), ...(await writeEvents("task-b", 8))];

    // Act
    await start({ first: first.consumer, second: second.consumer });
    await waitFor(() => first.handled.length >= written.length && second.handled.length >= written.length);

    // Assess
    expect(first.handled).toEqual(written);
    expect(second.handled).toEqual(written);
  });

  it("hands consumers records shaped like Lambda's", async () => {
    // Prepare
    const batches: DynamoDBStreamEvent[] = [];
    await start({
      capture: async (event) => {
        batches.push(event);
        return { batchItemFailures: [] };
      },
    });

    // Act
    await writeEvents("task-shape", 1);
    await poller?.drain();

    // Assess
    const record = batches[0]?.Records[0];
    expect(record).toMatchObject({
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      eventSourceARN: expect.stringContaining(tables.names.Events),
      dynamodb: {
        Keys: { task_id: { S: "task-shape" }, seq: { N: "1" } },
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        StreamViewType: "NEW_IMAGE",
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(record === undefined ? undefined : ledgerEventOf(record)).toMatchObject({
      task_id: "task-shape",
      seq: 1,
    });
  });

  it("redelivers a record failed by one consumer from that record on, without touching the other", async () => {
    // Prepare
    let failedOnce = false;
    const flaky = recorder((event) => {
      const fail = event.seq === 5 && !failedOnce;
      failedOnce ||= fail;
      return fail;
    });
    const steady = recorder();
    const written = await writeEvents("task-partial", 12);

    // Act
    await start({ flaky: flaky.consumer, steady: steady.consumer });
    await poller?.drain();

    // Assess
    expect(flaky.attempts.get("task-partial#5")).toBe(2);
    expect(new Set(flaky.handled)).toEqual(new Set(written));
    // Records after the failure were handled in the failed batch and again in the retried one.
    expect(flaky.attempts.get("task-partial#6")).toBe(2);
    expect(flaky.attempts.get("task-partial#4")).toBe(1);
    expect(steady.handled).toEqual(written);
    expect(await dlqLines()).toEqual([]);
  });

  it("dead-letters a record that keeps failing after maxRetries and goes on with later records", async () => {
    // Prepare
    const poisoned = recorder((event) => event.seq === 3);
    const written = await writeEvents("task-poison", 7);

    // Act
    await start({ poisoned: poisoned.consumer }, { maxRetries: 2 });
    await poller?.drain();

    // Assess
    expect(poisoned.attempts.get("task-poison#3")).toBe(3);
    expect(new Set(poisoned.handled)).toEqual(new Set(written.filter((key) => key !== "task-poison#3")));
    const lines = await dlqLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      consumer: "poisoned",
      attempts: 3,
      failed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      record: { eventName: "INSERT", dynamodb: { Keys: { task_id: { S: "task-poison" }, seq: { N: "3" } } } },
    });
    expect(reported.some((message) => message.includes("dead-lettered"))).toBe(true);
  });

  it("loses nothing when a consumer throws for a while and then recovers", async () => {
    // Prepare
    const handled: string[] = [];
    let calls = 0;
    const recovering: StreamConsumer = async (event) => {
      calls += 1;
      if (calls <= 3) throw new Error("downstream unavailable");
      for (const record of event.Records) {
        const ledgerEvent = ledgerEventOf(record);
        if (ledgerEvent !== undefined) handled.push(keyOf(ledgerEvent));
      }
      return { batchItemFailures: [] };
    };
    const written = await writeEvents("task-recover", 23);

    // Act
    await start({ recovering }, { maxRetries: 5 });
    await poller?.drain();

    // Assess
    expect(handled).toEqual(written);
    expect(await dlqLines()).toEqual([]);
    expect(reported.filter((message) => message.includes("threw"))).toHaveLength(3);
  });

  it("drain resolves only once records written before it are handled", async () => {
    // Prepare
    const handled: string[] = [];
    const slow = perEventConsumer(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      handled.push(keyOf(event));
    });
    await start({ slow });
    await poller?.drain();
    const written = await writeEvents("task-drain", 30);

    // Act
    await poller?.drain();

    // Assess
    expect(handled).toEqual(written);
  });

  it("re-opens an expired iterator after the last handled record and survives transient errors", async () => {
    // Prepare
    const seen = recorder();
    const real = passThrough();
    let expired = false;
    let refused = 0;
    jest.spyOn(streams, "send").mockImplementation((command: unknown) => {
      if (command instanceof GetRecordsCommand && seen.handled.length >= 10 && !expired) {
        expired = true;
        return Promise.reject(new ExpiredIteratorException({ message: "Iterator expired", $metadata: {} }));
      }
      if (command instanceof GetRecordsCommand && expired && refused < 2) {
        refused += 1;
        return Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
      }
      return real(command);
    });
    const written = await writeEvents("task-expire", 25);

    // Act
    await start({ seen: seen.consumer });
    await waitFor(() => seen.handled.length >= written.length);
    await poller?.drain();

    // Assess
    expect(seen.handled).toEqual(written);
    expect(expired).toBe(true);
    expect(reported.filter((message) => message.includes("reading the stream failed"))).toHaveLength(2);
  });

  it("reads a closed parent shard to its end before its child, and never re-reads it", async () => {
    // Prepare: DynamoDB Local rolls shards over only every four hours, so the split is staged on the real
    // shard: the "parent" ends after seq 6, and the "child" is the same shard read on from there.
    const written = await writeEvents("task-split", 14);
    const real = passThrough();
    const description = (await streams.send(new DescribeStreamCommand({ StreamArn: await arn() })))
      .StreamDescription;
    const parentId = description?.Shards?.[0]?.ShardId ?? "";
    const cut = await sequenceOfSeq(6);
    const childIterators = new Set<string>();
    const parentReads: number[] = [];
    jest.spyOn(streams, "send").mockImplementation(async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) {
        // The child is listed first, so order in the listing must not matter.
        const shards = [
          {
            ShardId: "shardId-child",
            ParentShardId: parentId,
            SequenceNumberRange: { StartingSequenceNumber: "1" },
          },
          {
            ShardId: parentId,
            SequenceNumberRange: { StartingSequenceNumber: "1", EndingSequenceNumber: cut },
          },
        ];
        return { StreamDescription: { ...description, Shards: shards } };
      }
      if (command instanceof GetShardIteratorCommand && command.input.ShardId === "shardId-child") {
        const input = { ...command.input, ShardId: parentId };
        if (input.ShardIteratorType === "TRIM_HORIZON")
          Object.assign(input, { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: cut });
        const out = await real<GetShardIteratorCommandOutput>(new GetShardIteratorCommand(input));
        if (out.ShardIterator !== undefined) childIterators.add(out.ShardIterator);
        return out;
      }
      if (command instanceof GetRecordsCommand) {
        const child = childIterators.has(command.input.ShardIterator ?? "");
        const out = await real<GetRecordsCommandOutput>(command);
        if (child) {
          if (out.NextShardIterator !== undefined) childIterators.add(out.NextShardIterator);
          return out;
        }
        const records = (out.Records ?? []).filter(
          (r) => BigInt(r.dynamodb?.SequenceNumber ?? "0") <= BigInt(cut),
        );
        parentReads.push(records.length);
        const ended = records.length < (out.Records ?? []).length || records.length === 0;
        return { Records: records, NextShardIterator: ended ? undefined : out.NextShardIterator };
      }
      return real(command);
    });
    const seen = recorder();

    // Act
    await start({ seen: seen.consumer }, { batchSize: 4 });
    await waitFor(() => seen.handled.length >= written.length);
    await poller?.drain();

    // Assess
    expect(seen.handled).toEqual(written);
    const readsAfterDrain = parentReads.length;
    await poller?.drain();
    expect(parentReads.length).toBe(readsAfterDrain);
  });

  it("delivers the first records of a shard that was empty at start, whatever other tables write meanwhile", async () => {
    // Prepare: DynamoDB Local numbers stream records across all tables, and fails an iterator on an empty
    // shard once another table has taken the numbers before this shard's first record.
    const other = await freshTables();
    const seen = recorder();
    await start({ seen: seen.consumer }, { startAt: "LATEST" });
    await poller?.drain();

    // Act
    const item = { task_id: "elsewhere", seq: 1, type: "task.created" };
    await other.doc.send(new PutCommand({ TableName: other.names.Events, Item: item }));
    const written = await writeEvents("task-late", 3);
    await poller?.drain();
    other.client.destroy();

    // Assess
    expect(seen.handled).toEqual(written);
    expect(reported).toEqual([]);
  });

  it("stops promptly and leaves no timers behind", async () => {
    // Prepare
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const timersBefore = timers();
    const seen = recorder();
    // An idle pause far longer than the test, so a timer left behind by stop would still be there.
    await start({ seen: seen.consumer }, { pollIntervalMs: 600_000 });
    await writeEvents("task-stop", 3);
    await poller?.drain();

    // Act
    const stopping = Date.now();
    await poller?.stop();
    const stopMs = Date.now() - stopping;
    poller = undefined;

    // Assess
    expect(stopMs).toBeLessThan(1_000);
    // The SDK clears its own request timers a moment after a response, hence a wait rather than a snapshot.
    await waitFor(() => timers() <= timersBefore, 3_000);
  });
});

/** The client's own `send`, taken before a test replaces it, for fakes that pass calls through. */
function passThrough(): <T = unknown>(command: unknown) => Promise<T> {
  const send = streams.send.bind(streams) as (command: unknown) => Promise<unknown>;
  return <T>(command: unknown) => send(command) as Promise<T>;
}

async function arn(): Promise<string> {
  const { Table: table } = await tables.client.send(
    new DescribeTableCommand({ TableName: tables.names.Events }),
  );
  return table?.LatestStreamArn ?? "";
}

/** The stream sequence number of the Events record with this seq, read straight from the stream. */
async function sequenceOfSeq(seq: number): Promise<string> {
  const streamArn = await arn();
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = description.StreamDescription?.Shards?.[0]?.ShardId;
  const { ShardIterator: iterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const { Records: records } = await streams.send(
    new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
  );
  const record = records?.find((r) => r.dynamodb?.Keys?.seq?.N === String(seq));
  return record?.dynamodb?.SequenceNumber ?? "";
}
