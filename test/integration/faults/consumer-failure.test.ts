import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ledgerEventOf, type StreamConsumer } from "../../../lambdas/adapters/stream/stream-consumer";
import { replayDlq } from "../../../local/dlq";
import { startLocalControlPlane } from "../../../local/local-control-plane";
import { AGENT, gatesClient, waitFor } from "../../support/gates-client";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";

/** Records what it handled, by task and seq; refuses one chosen command for as long as `broken` is set. */
function flakyConsumer(state: { broken: boolean; seen: string[] }): StreamConsumer {
  return async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const e = ledgerEventOf(record);
      if (!e) continue;
      const poisoned =
        e.type === "tool_call.evaluated" && e.data.decision === "ALLOW" && state.broken && e.seq === 3;
      if (poisoned) batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? "" });
      else state.seen.push(`${e.task_id}#${e.seq}`);
    }
    return { batchItemFailures };
  };
}

describe("a stream consumer that fails one record", () => {
  it("retries only that record, dead-letters it after the bounded retries, and a replay delivers it once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gates-dlq-"));
    const state = { broken: true, seen: [] as string[] };
    const healthy: string[] = [];
    const plane = await startLocalControlPlane({
      dynamoEndpoint: testDynamoEndpoint(),
      tablePrefix: uniquePrefix(),
      port: 0,
      dataDir,
      consumers: {
        flaky: flakyConsumer(state),
        healthy: async (event) => {
          for (const r of event.Records) {
            const e = ledgerEventOf(r);
            if (e) healthy.push(`${e.task_id}#${e.seq}`);
          }
          return { batchItemFailures: [] };
        },
      },
      onError: () => undefined,
    });
    const dlqPath = join(dataDir, "dlq.jsonl");
    try {
      const client = gatesClient(plane.url);
      await client.as(AGENT).post("/v1/tasks", { task_id: "dlq", owner: "alice", repo: "acme/app" });
      for (const command of ["ls", "pwd", "whoami"]) {
        await client
          .as(AGENT)
          .post("/v1/tasks/dlq/tool-calls", { tool_name: "Bash", tool_input: { command } });
      }
      await waitFor(
        async () => (existsSync(dlqPath) ? true : undefined),
        20_000,
        "the record to be dead-lettered",
      );
      await plane.poller.drain();

      const lines = readFileSync(dlqPath, "utf8").trim().split("\n");
      expect(lines.map((l) => (JSON.parse(l) as { consumer: string }).consumer)).toEqual(["flaky"]);
      expect(healthy).toEqual(["dlq#1", "dlq#2", "dlq#3", "dlq#4"]);
      expect(state.seen).not.toContain("dlq#3");
      expect(state.seen).toEqual(expect.arrayContaining(["dlq#1", "dlq#2", "dlq#4"]));

      state.broken = false;
      const replayed = await replayDlq(dlqPath, { flaky: flakyConsumer(state) });
      expect(replayed).toEqual({ delivered: 1, kept: 0 });
      expect(state.seen.filter((s) => s === "dlq#3")).toHaveLength(1);
      expect(existsSync(dlqPath)).toBe(false);
      expect(await replayDlq(dlqPath, { flaky: flakyConsumer(state) })).toEqual({ delivered: 0, kept: 0 });
    } finally {
      await plane.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("dead letters of an earlier run", () => {
  it("are delivered once when the local control plane starts again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gates-dlq-start-"));
    const record = {
      eventID: "1",
      eventName: "INSERT",
      dynamodb: {
        SequenceNumber: "000000000000000000042",
        NewImage: {
          task_id: { S: "earlier" },
          seq: { N: "2" },
          type: { S: "tool_call.evaluated" },
          at: { S: "2026-11-22T12:00:00.000Z" },
          actor: { M: { kind: { S: "agent" }, id: { S: "a" } } },
          data: { M: { decision: { S: "ALLOW" } } },
          prev_hash: { S: "0".repeat(64) },
          hash: { S: "1".repeat(64) },
        },
      },
    };
    writeFileSync(
      join(dataDir, "dlq.jsonl"),
      `${JSON.stringify({ consumer: "probe", failed_at: "x", attempts: 4, record })}\n`,
    );
    const seen: string[] = [];
    const plane = await startLocalControlPlane({
      dynamoEndpoint: testDynamoEndpoint(),
      tablePrefix: uniquePrefix(),
      port: 0,
      dataDir,
      consumers: {
        probe: async (event) => {
          for (const r of event.Records) {
            const e = ledgerEventOf(r);
            if (e) seen.push(`${e.task_id}#${e.seq}`);
          }
          return { batchItemFailures: [] };
        },
      },
      onError: () => undefined,
    });
    try {
      await waitFor(
        async () => (seen.includes("earlier#2") ? true : undefined),
        10_000,
        "the dead letter to be replayed",
      );
      await waitFor(
        async () => (existsSync(join(dataDir, "dlq.jsonl")) ? undefined : true),
        5_000,
        "an empty DLQ",
      );
      expect(seen.filter((s) => s === "earlier#2")).toHaveLength(1);
    } finally {
      await plane.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
