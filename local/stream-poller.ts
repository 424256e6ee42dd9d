import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  type ShardIteratorType,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchItemFailure, DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";
import { type StreamConsumer, toLambdaStreamRecord } from "../lambdas/adapters/stream/stream-consumer";

/** How to feed the Events stream to its consumers, as Lambda event source mappings would. */
export interface StreamPollerOptions {
  /** Used once, to find the table's latest stream. */
  readonly dynamo: DynamoDBClient;
  /** A streams client for the same endpoint and credentials; the poller never destroys it. */
  readonly streams: DynamoDBStreamsClient;
  /** The physical name of the Events table. */
  readonly tableName: string;
  /** Consumers by name; each keeps its own positions and retries, like its own event source mapping. */
  readonly consumers: Readonly<Record<string, StreamConsumer>>;
  /** The dead-letter file, one JSON line per given-up record, e.g. ".gates/dlq.jsonl"; its folder is created. */
  readonly dlqPath: string;
  /** Records per batch, 1–1000. @default 100 */
  readonly batchSize?: number;
  /** Retries of a failing record after its first attempt, before it is dead-lettered. @default 3 */
  readonly maxRetries?: number;
  /** Pause between reads once every shard is caught up. @default 100 */
  readonly pollIntervalMs?: number;
  /** Pause before retry number `attempt` (from 1) of a failing record. @default 100 ms, doubling up to 2 s */
  readonly retryBackoffMs?: (attempt: number) => number;
  /** The oldest record kept, or only records written after start resolves. @default "TRIM_HORIZON" */
  readonly startAt?: "TRIM_HORIZON" | "LATEST";
  /** Told about poller-level problems, which never stop the poller. @default a line on stderr */
  readonly onError?: (message: string, error: unknown) => void;
}

/** A running poller. */
export interface StreamPoller {
  /** Stops reading and resolves once in-flight consumer calls have finished. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Resolves when every consumer has handled (or dead-lettered) every record written before the call.
   * @throws when that takes longer than `timeoutMs` (default 30000), or the poller stops meanwhile
   */
  drain(timeoutMs?: number): Promise<void>;
}

const MAX_BATCH_SIZE = 1000; // GetRecords' own limit
const SHARD_REFRESH_MS = 5_000;
const MAX_ERROR_BACKOFF_MS = 5_000;
const DRAIN_CHECK_MS = 10;
const defaultRetryBackoff = (attempt: number): number => Math.min(2_000, 100 * 2 ** (attempt - 1));

interface Shard {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly closed: boolean;
}
/** One consumer's progress through one shard. */
interface ShardState {
  /** Where a new iterator must start so that no record is skipped or repeated. */
  position: { readonly type: ShardIteratorType; readonly sequence?: string };
  iterator: string | undefined;
  /** Closed and read to its end, or gone. */
  done: boolean;
  /** The record that batches keep failing at, and how often they have. */
  failing?: { readonly sequence: string; readonly attempts: number };
}
interface Listing {
  readonly shards: readonly Shard[];
  /** When the DescribeStream calls began, so a listing is never taken for newer than it is. */
  readonly fetchedAt: number;
}
type Settings = StreamPollerOptions & {
  readonly batchSize: number;
  readonly maxRetries: number;
  readonly streamArn: string;
};

/**
 * Starts one read loop per consumer over every shard of the table's stream, parents before children.
 *
 * @throws when an option is out of range, or the table has no stream or cannot be described
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const batchSize = options.batchSize ?? 100;
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, not ${batchSize}`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError("maxRetries must be ≥ 0");
  const { tableName } = options;
  const { Table: table } = await options.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`table ${tableName} has no stream`);

  const onError = options.onError ?? ((message, error) => console.error(`stream poller: ${message}`, error));
  const runtime = new Runtime(options.streams, streamArn, (message, error) => {
    try {
      onError(message, error);
    } catch {
      // A failing reporter must not stop delivery.
    }
  });
  const settings: Settings = { ...options, batchSize, maxRetries, streamArn };
  const readers = Object.entries(options.consumers).map(
    ([name, consumer]) => new Reader(name, consumer, settings, runtime),
  );
  // LATEST iterators are opened before start resolves, so every record written afterwards is delivered.
  const { shards } = await runtime.listShards();
  await Promise.all(readers.map((reader) => reader.open(shards, options.startAt ?? "TRIM_HORIZON")));
  const loops = readers.map((reader) => reader.run());
  return {
    async stop() {
      runtime.stop();
      await Promise.all(loops);
    },
    async drain(timeoutMs = 30_000) {
      const since = performance.now();
      runtime.drainSince = Math.max(runtime.drainSince, since);
      runtime.refreshShards();
      runtime.wakeIdle();
      while (!readers.every((reader) => reader.caughtUpAt >= since)) {
        if (runtime.stopped) throw new Error("the stream poller stopped before it drained");
        if (performance.now() - since > timeoutMs)
          throw new Error(`the stream poller did not drain in ${timeoutMs} ms`);
        await runtime.sleep(DRAIN_CHECK_MS);
      }
    },
  };
}

/** What every loop shares: the stop switch, interruptible pauses, and the shard list. */
class Runtime {
  stopped = false;
  /** The start of the latest drain, which readers not yet caught up to it hurry towards. */
  drainSince = Number.NEGATIVE_INFINITY;
  readonly abort = new AbortController();
  /** Pending pauses, each with whether it is an idle one that a drain may cut short. */
  private readonly sleepers = new Map<() => void, boolean>();
  private listing: Promise<Listing> | undefined;
  private latest: Listing | undefined;
  private staleBefore = 0;
  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
    readonly report: (message: string, error: unknown) => void,
  ) {}

  /** Waits `ms`, or less on stop (or on a drain, when idle), and leaves no timer behind. */
  sleep(ms: number, idle = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.set(done, idle);
    });
  }
  /** Ends idle pauses; backoffs keep running, so a drain never hurries a retry. */
  wakeIdle(): void {
    for (const [done, idle] of [...this.sleepers]) if (idle) done();
  }
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    for (const done of [...this.sleepers.keys()]) done();
  }
  refreshShards(): void {
    this.staleBefore = performance.now();
  }

  /** The shards, from DescribeStream at most every few seconds unless a refresh was asked for; calls are shared. */
  listShards(): Promise<Listing> {
    const latest = this.latest;
    const fresh = latest !== undefined && latest.fetchedAt >= this.staleBefore;
    if (fresh && performance.now() - latest.fetchedAt < SHARD_REFRESH_MS) return Promise.resolve(latest);
    this.listing ??= this.describeStream().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async describeStream(): Promise<Listing> {
    const fetchedAt = performance.now();
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
        { abortSignal: this.abort.signal },
      );
      for (const shard of description?.Shards ?? []) {
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        if (shard.ShardId !== undefined)
          shards.push({ id: shard.ShardId, parentId: shard.ParentShardId, closed });
      }
      start = description?.LastEvaluatedShardId;
    } while (start !== undefined);
    this.latest = { shards, fetchedAt };
    return this.latest;
  }
}

/** One consumer's loop over every shard, with its own positions and retries. */
class Reader {
  /** When the latest pass that found nothing left to read began (and its shard list was fetched). */
  caughtUpAt = Number.NEGATIVE_INFINITY;
  private readonly shards = new Map<string, ShardState>();
  constructor(
    private readonly name: string,
    private readonly consumer: StreamConsumer,
    private readonly settings: Settings,
    private readonly runtime: Runtime,
  ) {}

  /** Sets the first position on every shard; with LATEST, closed shards are skipped and open ones pinned now. */
  async open(shards: readonly Shard[], startAt: "TRIM_HORIZON" | "LATEST"): Promise<void> {
    for (const shard of shards) {
      const state: ShardState = { position: { type: startAt }, iterator: undefined, done: false };
      this.shards.set(shard.id, state);
      if (startAt === "LATEST" && shard.closed) state.done = true;
      else if (startAt === "LATEST") state.iterator = await this.iteratorAt(shard.id, state);
    }
  }

  /** Never rejects: errors are reported and retried with backoff until stop. */
  async run(): Promise<void> {
    let errors = 0;
    while (!this.runtime.stopped) {
      const passStart = performance.now();
      try {
        const { shards, fetchedAt } = await this.runtime.listShards();
        const outcome = await this.pass(shards);
        errors = 0;
        if (outcome === "caught-up") this.caughtUpAt = Math.min(passStart, fetchedAt);
        // While a drain waits for this reader, it looks again soon rather than after a full idle pause.
        const draining = this.runtime.drainSince > this.caughtUpAt;
        const idleMs = draining ? DRAIN_CHECK_MS : (this.settings.pollIntervalMs ?? 100);
        if (outcome !== "busy") await this.runtime.sleep(idleMs, true);
      } catch (error) {
        if (this.runtime.stopped) break;
        errors += 1;
        this.runtime.report(`consumer ${this.name}: reading the stream failed; retrying`, error);
        await this.runtime.sleep(Math.min(MAX_ERROR_BACKOFF_MS, 100 * 2 ** (errors - 1)));
      }
    }
  }

  /** Reads each shard whose parent is done once; "busy" when anything moved, so the next pass starts at once. */
  private async pass(shards: readonly Shard[]): Promise<"busy" | "waiting" | "caught-up"> {
    const listed = new Set(shards.map((shard) => shard.id));
    for (const id of this.shards.keys()) if (!listed.has(id)) this.shards.delete(id);
    for (const { id } of shards) {
      // A shard that appears after start is a child: it is read from its beginning.
      if (!this.shards.has(id))
        this.shards.set(id, { position: { type: "TRIM_HORIZON" }, iterator: undefined, done: false });
    }
    let outcome: "busy" | "waiting" | "caught-up" = "caught-up";
    for (const shard of shards) {
      const state = this.shards.get(shard.id);
      if (state === undefined || state.done || this.runtime.stopped) continue;
      const parent = shard.parentId === undefined ? undefined : this.shards.get(shard.parentId);
      if (parent !== undefined && !parent.done) {
        if (outcome === "caught-up") outcome = "waiting";
      } else if ((await this.step(shard.id, state)) === "moved") {
        outcome = "busy";
      }
    }
    return outcome;
  }

  /** One GetRecords and its delivery: "idle" when the shard had nothing new. */
  private async step(shardId: string, state: ShardState): Promise<"idle" | "moved"> {
    let output: { Records?: StreamRecord[]; NextShardIterator?: string };
    try {
      state.iterator ??= await this.iteratorAt(shardId, state);
      const read = new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.settings.batchSize });
      output = await this.settings.streams.send(read, { abortSignal: this.runtime.abort.signal });
    } catch (error) {
      this.recover(shardId, state, error);
      return "moved";
    }
    const records = output.Records ?? [];
    if (records.length > 0) {
      await this.deliver(shardId, state, records, output.NextShardIterator);
      return "moved";
    }
    state.iterator = output.NextShardIterator;
    if (state.iterator !== undefined) return "idle";
    this.end(state);
    return "moved";
  }

  private recover(shardId: string, state: ShardState, error: unknown): void {
    // The position names the next record to read, so a new iterator resumes exactly there.
    state.iterator = undefined;
    if (error instanceof ExpiredIteratorException) return;
    if (error instanceof TrimmedDataAccessException) {
      // DynamoDB Local also says this when a shard that was empty at our iterator got its first record
      // after other tables took the sequence numbers in between; the shard's start is then exactly right.
      // Past a delivered record, though, it means records aged out unread.
      if (state.position.sequence !== undefined) {
        this.runtime.report(`consumer ${this.name}: unread records of ${shardId} expired`, error);
      }
      state.position = { type: "TRIM_HORIZON" };
    } else if (error instanceof ResourceNotFoundException) {
      this.runtime.report(`consumer ${this.name}: shard ${shardId} no longer exists; moving on`, error);
      this.end(state);
    } else {
      throw error;
    }
  }

  private end(state: ShardState): void {
    state.done = true;
    // Its children may not be listed yet.
    this.runtime.refreshShards();
  }

  private async deliver(shardId: string, state: ShardState, records: StreamRecord[], next?: string) {
    const batch = records.map((record) => toLambdaStreamRecord(record, this.settings.streamArn));
    const failedAt = await this.invoke(batch);
    const failed = batch[failedAt];
    if (failed === undefined) {
      state.position = { type: "AFTER_SEQUENCE_NUMBER", sequence: sequenceOf(batch[batch.length - 1]) };
      state.failing = undefined;
      state.iterator = next;
      if (next === undefined) this.end(state);
      return;
    }
    // Like Lambda, the next batch starts at the earliest failure, so later records come again too.
    const sequence = sequenceOf(failed);
    const attempts = (state.failing?.sequence === sequence ? state.failing.attempts : 0) + 1;
    state.failing = { sequence, attempts };
    state.position = { type: "AT_SEQUENCE_NUMBER", sequence };
    state.iterator = undefined;
    if (attempts <= this.settings.maxRetries) {
      await this.runtime.sleep((this.settings.retryBackoffMs ?? defaultRetryBackoff)(attempts));
      return;
    }
    // Should the write fail, the position still points at the record, which is then tried again.
    const line = { consumer: this.name, failed_at: new Date().toISOString(), attempts, record: failed };
    await mkdir(dirname(this.settings.dlqPath), { recursive: true });
    await appendFile(this.settings.dlqPath, `${JSON.stringify(line)}\n`);
    this.runtime.report(`consumer ${this.name}: record ${sequence} of ${shardId} dead-lettered`, undefined);
    state.position = { type: "AFTER_SEQUENCE_NUMBER", sequence };
    state.failing = undefined;
  }

  /** The index of the earliest failed record, or -1 when the whole batch succeeded. */
  private async invoke(batch: DynamoDBRecord[]): Promise<number> {
    let failures: readonly DynamoDBBatchItemFailure[];
    try {
      // A consumer written in JavaScript may resolve to nothing, which Lambda takes as success.
      const response: Partial<DynamoDBBatchResponse> | undefined = await this.consumer({ Records: batch });
      failures = response?.batchItemFailures ?? [];
    } catch (error) {
      this.runtime.report(`consumer ${this.name} threw; the whole batch failed`, error);
      return 0;
    }
    const sequences = batch.map((record) => record.dynamodb?.SequenceNumber);
    const indexes = failures.map((failure) => sequences.indexOf(failure.itemIdentifier));
    if (indexes.length === 0) return -1;
    if (!indexes.includes(-1)) return Math.min(...indexes);
    // Lambda fails the whole batch when it cannot place a reported failure.
    this.runtime.report(`consumer ${this.name} reported a record not in the batch`, failures);
    return 0;
  }

  private async iteratorAt(shardId: string, { position }: ShardState): Promise<string | undefined> {
    const { streamArn: StreamArn, streams } = this.settings;
    const open = {
      StreamArn,
      ShardId: shardId,
      ShardIteratorType: position.type,
      SequenceNumber: position.sequence,
    };
    const out = await streams.send(new GetShardIteratorCommand(open), {
      abortSignal: this.runtime.abort.signal,
    });
    return out.ShardIterator;
  }
}

function sequenceOf(record: DynamoDBRecord | undefined): string {
  const sequence = record?.dynamodb?.SequenceNumber;
  if (sequence === undefined) throw new Error("a stream record has no SequenceNumber");
  return sequence;
}
