import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SlackInboundDeps } from "../../lambdas/core/slack/ports";
import { type LocalSlackSettings, startLocalControlPlane } from "../../local/local-control-plane";
import { testDynamoEndpoint, uniquePrefix } from "../integration/setup/dynamo";
import { AGENT, type GatesClient, gatesClient } from "./gates-client";
import { TestClock } from "./test-clock";

/** The Slack signing secret of every harness unless a test brings its own. */
export const TEST_SLACK_SIGNING_SECRET = "test-slack-signing-secret";

/**
 * A local control plane on the run's DynamoDB Local, with its own tables, a movable clock
 * and a client. The reconciler timer is off unless a test asks for it.
 */
export async function startHarness(
  options: {
    reconcileEveryMs?: number;
    slack?: Partial<SlackInboundDeps>;
    slackFanout?: LocalSlackSettings;
  } = {},
) {
  const clock = new TestClock();
  // Its own data directory, so the DLQ and metrics files of tests never land in the checkout.
  const dataDir = mkdtempSync(join(tmpdir(), "gates-harness-"));
  const plane = await startLocalControlPlane({
    dataDir,
    dynamoEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix(),
    port: 0,
    reconcileEveryMs: options.reconcileEveryMs ?? 3_600_000,
    overrides: { clock },
    // A known Slack secret, whatever the developer's environment holds, and no calls out to Slack.
    slackInbound: {
      signingSecret: { get: async () => TEST_SLACK_SIGNING_SECRET },
      responses: { post: async () => undefined },
      modals: { openDenyModal: async () => undefined },
      ...options.slack,
    },
    ...(options.slackFanout ? { slackFanout: options.slackFanout } : {}),
    onError: () => undefined,
  });
  const client = gatesClient(plane.url);
  const stop = async () => {
    await plane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { plane, clock, client, dataDir, stop };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

let taskCounter = 0;

/** Registers a task owned by alice with bob as approver, and returns its id. */
export async function createTask(client: GatesClient, extra: Record<string, unknown> = {}): Promise<string> {
  taskCounter += 1;
  const task_id = `t-${Date.now().toString(36)}-${taskCounter}`;
  const reply = await client
    .as(AGENT)
    .post("/v1/tasks", { task_id, owner: "alice", approvers: ["bob"], repo: "acme/app", ...extra });
  if (reply.status !== 201)
    throw new Error(`task create failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return task_id;
}

/** Asks for a call that needs approval and returns the request id. */
export async function requestApproval(
  client: GatesClient,
  taskId: string,
  command = "git push --force origin main",
) {
  const reply = await client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
    tool_name: "Bash",
    tool_input: { command },
  });
  if (reply.body.decision !== "REQUIRE_APPROVAL")
    throw new Error(`expected a request: ${JSON.stringify(reply.body)}`);
  return String(reply.body.request_id);
}
