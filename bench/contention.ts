import { createDynamoClients } from "../lambdas/adapters/dynamo/clients";
import { tableNames } from "../lambdas/adapters/dynamo/tables";
import { DynamoTaskStore } from "../lambdas/adapters/dynamo/task-store";
import { type LedgerEvent, verifyChain } from "../lambdas/core/ledger";
import type { TaskStore } from "../lambdas/core/ports";
import { startDynamoDbLocal } from "../local/dynamodb-local";
import { startLocalControlPlane } from "../local/local-control-plane";
import { keepAliveClient } from "./http-client";
import type { BenchRow } from "./results";
import { round } from "./stats";

export interface ContentionFigures {
  agents: number;
  evaluations: number;
  lost_events: number;
  duplicate_events: number;
  chain_ok: boolean;
  evaluations_per_s: number;
  version_retries: number;
  failed_evaluations: number;
}

/** The real store, counting the transactions that lost the version race. */
function countingStore(inner: TaskStore): TaskStore & { conflicts: () => number } {
  let conflicts = 0;
  return {
    maxItemsPerChange: inner.maxItemsPerChange,
    getTask: (id) => inner.getTask(id),
    getApproval: (t, r) => inner.getApproval(t, r),
    listEvents: (t, a, l) => inner.listEvents(t, a, l),
    listInbox: (a, n, o) => inner.listInbox(a, n, o),
    listExpiredPending: (n, l) => inner.listExpiredPending(n, l),
    listLivePending: (n, l) => inner.listLivePending(n, l),
    commit: async (change) => {
      const result = await inner.commit(change);
      if (result === "conflict") conflicts += 1;
      return result;
    },
    conflicts: () => conflicts,
  };
}

/**
 * One task, `agents` concurrent clients sharing `evaluations` calls over HTTP: every
 * answered evaluation must have exactly one event, and the chain must verify.
 */
export async function benchContention(agents = 8, evaluations = 2000): Promise<ContentionFigures> {
  const dynamo = await startDynamoDbLocal();
  const tables = tableNames("gates-bench");
  const { doc } = createDynamoClients({ region: "local", endpoint: dynamo.endpoint });
  const tasks = countingStore(new DynamoTaskStore(doc, tables));
  const plane = await startLocalControlPlane({
    dynamoEndpoint: dynamo.endpoint,
    tablePrefix: "gates-bench",
    port: 0,
    overrides: { tasks },
    onError: () => undefined,
  });
  const client = keepAliveClient();
  const headers = { authorization: "Bearer local:agent:bench-agent", "content-type": "application/json" };
  try {
    await client.call("POST", `${plane.url}/v1/tasks`, headers, {
      task_id: "contended",
      owner: "alice",
      repo: "acme/app",
    });
    let next = 0;
    const seqs: number[] = [];
    let failed = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: agents }, async () => {
        while (next < evaluations) {
          const i = next++;
          const { status, json } = await client.call(
            "POST",
            `${plane.url}/v1/tasks/contended/tool-calls`,
            headers,
            {
              tool_name: "Bash",
              tool_input: { command: `echo ${i}` },
            },
          );
          if (status === 200) seqs.push(Number(json.event_seq));
          else failed += 1;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const events: LedgerEvent[] = [];
    for (let after = 0; ; ) {
      const page = await tasks.listEvents("contended", after, 100);
      events.push(...page.items);
      const last = page.items.at(-1);
      if (!page.more || !last) break;
      after = last.seq;
    }
    const evaluated = events.filter((e) => e.type === "tool_call.evaluated");
    const eventSeqs = new Set(evaluated.map((e) => e.seq));
    return {
      agents,
      evaluations,
      lost_events: seqs.filter((s) => !eventSeqs.has(s)).length,
      duplicate_events: evaluated.length - new Set(seqs).size,
      chain_ok: verifyChain(events).ok,
      evaluations_per_s: round(seqs.length / seconds, 1),
      version_retries: tasks.conflicts(),
      failed_evaluations: failed,
    };
  } finally {
    client.close();
    await plane.stop();
    await dynamo.stop();
  }
}

export function contentionRows(f: ContentionFigures): BenchRow[] {
  return [
    {
      figure: `contention: lost events (${f.agents} agents)`,
      value: String(f.lost_events),
      target: "0",
      met: f.lost_events === 0,
    },
    {
      figure: "contention: duplicated events",
      value: String(f.duplicate_events),
      target: "0",
      met: f.duplicate_events === 0,
    },
    { figure: "contention: chain verifies", value: String(f.chain_ok), target: "true", met: f.chain_ok },
    { figure: "contention: evaluations/s", value: String(f.evaluations_per_s), target: "-", met: true },
    { figure: "contention: version retries", value: String(f.version_retries), target: "-", met: true },
    {
      figure: "contention: evaluations refused (503)",
      value: String(f.failed_evaluations),
      target: "0",
      met: f.failed_evaluations === 0,
    },
  ];
}
