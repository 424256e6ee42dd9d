import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "../lambdas/adapters/dynamo/clients";
import { type LocalControlPlane, startLocalControlPlane } from "../local/local-control-plane";
import { keepAliveClient } from "./http-client";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

export interface EvaluateHttpFigures {
  p50_ms: number;
  p99_ms: number;
  floor_p50_ms: number;
  ratio: number;
}
export interface PropagationFigures {
  p50_ms: number;
  p99_ms: number;
}

const AGENT = { authorization: "Bearer local:agent:bench-agent", "content-type": "application/json" };
const human = (id: string) => ({
  authorization: `Bearer local:human:${id}`,
  "content-type": "application/json",
});

const client = keepAliveClient();

async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Record<string, unknown>> {
  const { status, json } = await client.call("POST", url, headers, body);
  if (status >= 300) throw new Error(`${url} answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** A throwaway local control plane with its own in-memory DynamoDB Local. */
export async function withLocalControlPlane<T>(run: (plane: LocalControlPlane) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), "gates-bench-"));
  const plane = await startLocalControlPlane({ inMemory: true, port: 0, dataDir, onError: () => undefined });
  try {
    return await run(plane);
  } finally {
    client.close();
    await plane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e6;

/**
 * The ALLOW path over HTTP (router, strong task read, Cedar, one two-item transaction)
 * against the DynamoDB work it cannot avoid: one strong GetItem and one two-item
 * transaction, on the same DynamoDB Local, in interleaved blocks of the same run.
 */
export async function benchEvaluateHttp(
  plane: LocalControlPlane,
  calls = 1000,
): Promise<EvaluateHttpFigures> {
  const u = plane.url;
  await post(`${u}/v1/tasks`, AGENT, { task_id: "bench-eval", owner: "alice", repo: "acme/app" });
  const evaluate = () =>
    post(`${u}/v1/tasks/bench-eval/tool-calls`, AGENT, {
      tool_name: "Bash",
      tool_input: { command: "git status" },
    });

  const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
  const tables = plane.config.tables;
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tables.Tasks, Item: { task_id: "floor", version: 0, pad: "x".repeat(600) } } },
      ],
    }),
  );
  let floorVersion = 0;
  const floor = async () => {
    await doc.send(
      new GetCommand({ TableName: tables.Tasks, Key: { task_id: "floor" }, ConsistentRead: true }),
    );
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.Tasks,
              Item: { task_id: "floor", version: floorVersion + 1, pad: "x".repeat(600) },
              ConditionExpression: "#v = :v",
              ExpressionAttributeNames: { "#v": "version" },
              ExpressionAttributeValues: { ":v": floorVersion },
            },
          },
          {
            Put: {
              TableName: tables.Events,
              Item: {
                task_id: "floor",
                seq: floorVersion + 1,
                type: "tool_call.evaluated",
                pad: "y".repeat(300),
              },
              ConditionExpression: "attribute_not_exists(task_id)",
            },
          },
        ],
      }),
    );
    floorVersion += 1;
  };

  for (let i = 0; i < 100; i++) {
    await evaluate();
    await floor();
  }
  const ours: number[] = [];
  const base: number[] = [];
  for (let done = 0; done < calls; done += 50) {
    for (let i = 0; i < 50; i++) {
      const t = process.hrtime.bigint();
      await evaluate();
      ours.push(ms(t));
    }
    for (let i = 0; i < 50; i++) {
      const t = process.hrtime.bigint();
      await floor();
      base.push(ms(t));
    }
  }
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  const p50 = percentile(ours, 50);
  const floorP50 = percentile(base, 50);
  return {
    p50_ms: round(p50, 2),
    p99_ms: round(percentile(ours, 99), 2),
    floor_p50_ms: round(floorP50, 2),
    ratio: round(p50 / floorP50, 2),
  };
}

/** Approve → the agent's pending long-poll returns: time from sending the approval to the poll's answer. */
export async function benchPropagation(plane: LocalControlPlane, rounds = 60): Promise<PropagationFigures> {
  const u = plane.url;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Fresh tasks and rotating approvers keep per-task and per-human rate limits out of the way.
    const approver = `approver-${i % 6}`;
    const task = `bench-prop-${i}`;
    await post(`${u}/v1/tasks`, AGENT, { task_id: task, owner: approver, repo: "acme/app" });
    const asked = await post(`${u}/v1/tasks/${task}/tool-calls`, AGENT, {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    const requestId = String(asked.request_id);
    let returnedAt = 0n;
    const poll = client
      .call("GET", `${u}/v1/tasks/${task}/approvals/${requestId}?wait_s=25`, AGENT)
      .then(() => {
        returnedAt = process.hrtime.bigint();
      });
    // Let the poll reach its waiting loop, at a random phase of its re-read interval.
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 200)));
    const sent = process.hrtime.bigint();
    await post(`${u}/v1/tasks/${task}/approve`, human(approver), { request_id: requestId });
    await poll;
    samples.push(Number(returnedAt - sent) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50_ms: round(percentile(samples, 50), 1), p99_ms: round(percentile(samples, 99), 1) };
}

export function evaluateHttpRows(f: EvaluateHttpFigures): BenchRow[] {
  const target = round(1.5 * f.floor_p50_ms + 1, 2);
  return [
    {
      figure: "evaluate over HTTP p50 (ms)",
      value: String(f.p50_ms),
      target: `≤ ${target} (1.5 × floor + 1)`,
      met: f.p50_ms <= target,
    },
    { figure: "evaluate over HTTP p99 (ms)", value: String(f.p99_ms), target: "-", met: true },
    { figure: "DynamoDB floor p50 (ms)", value: String(f.floor_p50_ms), target: "floor", met: true },
    { figure: "evaluate / floor p50", value: String(f.ratio), target: "-", met: true },
  ];
}

export function propagationRows(f: PropagationFigures): BenchRow[] {
  return [
    {
      figure: "approve → long-poll p50 (ms)",
      value: String(f.p50_ms),
      target: "≤ 250",
      met: f.p50_ms <= 250,
    },
    {
      figure: "approve → long-poll p99 (ms)",
      value: String(f.p99_ms),
      target: "≤ 500",
      met: f.p99_ms <= 500,
    },
  ];
}
