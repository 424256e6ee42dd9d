import { appendFile, readFile, rename, rm } from "node:fs/promises";
import type { DynamoDBRecord } from "aws-lambda";
import type { StreamConsumer } from "../lambdas/adapters/stream/stream-consumer";

/** One dead-lettered stream record, as the local poller writes it. */
interface DlqLine {
  readonly consumer: string;
  readonly failed_at: string;
  readonly attempts: number;
  readonly record: DynamoDBRecord;
}

export interface ReplayResult {
  readonly delivered: number;
  /** Lines kept because their consumer failed again, is unknown, or the line is unreadable. */
  readonly kept: number;
}

/**
 * Hands every dead-lettered record back to its consumer, once, and keeps only those that
 * fail again. The file is first moved aside, so records the running poller dead-letters
 * meanwhile go to a fresh file and are never lost; kept lines are appended back.
 */
export async function replayDlq(
  dlqPath: string,
  consumers: Readonly<Record<string, StreamConsumer>>,
): Promise<ReplayResult> {
  const working = `${dlqPath}.replaying-${process.pid}-${Date.now()}`;
  try {
    await rename(dlqPath, working);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { delivered: 0, kept: 0 };
    throw error;
  }
  const kept: string[] = [];
  let delivered = 0;
  for (const text of (await readFile(working, "utf8")).split("\n")) {
    if (text.trim() === "") continue;
    const line = parseLine(text);
    const consumer = line && Object.hasOwn(consumers, line.consumer) ? consumers[line.consumer] : undefined;
    if (!line || !consumer) {
      kept.push(text);
      continue;
    }
    try {
      const response = await consumer({ Records: [line.record] });
      if (response.batchItemFailures.length === 0) delivered += 1;
      else kept.push(text);
    } catch {
      kept.push(text);
    }
  }
  if (kept.length > 0) await appendFile(dlqPath, `${kept.join("\n")}\n`);
  await rm(working);
  return { delivered, kept: kept.length };
}

function parseLine(text: string): DlqLine | undefined {
  try {
    const value = JSON.parse(text) as Partial<DlqLine>;
    return typeof value.consumer === "string" && typeof value.record === "object" && value.record !== null
      ? (value as DlqLine)
      : undefined;
  } catch {
    return undefined;
  }
}
