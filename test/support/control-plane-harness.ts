import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RepoSettingsBody } from "../../contracts/governance";
import type { DefaultSettingsProfile } from "../../lambdas/core/governance/settings";
import type { SlackInboundDeps } from "../../lambdas/core/slack/ports";
import { type LocalSlackSettings, startLocalControlPlane } from "../../local/local-control-plane";
import { testDynamoEndpoint, uniquePrefix } from "../integration/setup/dynamo";
import { ADMIN, AGENT, type GatesClient, gatesClient } from "./gates-client";
import { TestClock } from "./test-clock";

/** The Slack signing secret of every harness unless a test brings its own. */
export const TEST_SLACK_SIGNING_SECRET = "test-slack-signing-secret";

/**
 * The settings an admin publishes for `acme/*` in every harness unless a test brings its own: the
 * owner the agent names and bob approve, and an agent may pre-grant itself `tool:Read`.
 */
export const HARNESS_SETTINGS: RepoSettingsBody = {
  approvers: { users: ["bob"] },
  owner_approves: true,
  pre_grantable_scopes: ["tool:Read"],
};

/**
 * A local control plane on the run's DynamoDB Local, with its own tables, a movable clock
 * and a client. The reconciler timer is off unless a test asks for it. An admin has published
 * {@link HARNESS_SETTINGS} for `acme/*` (`settings: false` publishes none).
 */
export async function startHarness(
  options: {
    reconcileEveryMs?: number;
    slack?: Partial<SlackInboundDeps>;
    slackFanout?: LocalSlackSettings;
    settings?: RepoSettingsBody | false;
    defaultSettings?: DefaultSettingsProfile;
    /** Told what the API logs about a failed request. @default nothing is kept */
    onError?: (message: string, detail: unknown) => void;
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
    ...(options.defaultSettings ? { defaultSettings: options.defaultSettings } : {}),
    onError: options.onError ?? (() => undefined),
  });
  const client = gatesClient(plane.url);
  const settings = options.settings ?? HARNESS_SETTINGS;
  if (settings !== false) {
    const published = await client.as(ADMIN).put("/v1/repos/acme%2F*/settings", settings);
    if (published.status !== 200)
      throw new Error(`harness settings refused: ${published.status} ${JSON.stringify(published.body)}`);
  }
  const stop = async () => {
    await plane.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { plane, clock, client, dataDir, stop };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

let taskCounter = 0;

/** Registers a task owned by alice (bob approves too under {@link HARNESS_SETTINGS}), and returns its id. */
export async function createTask(client: GatesClient, extra: Record<string, unknown> = {}): Promise<string> {
  taskCounter += 1;
  const task_id = `t-${Date.now().toString(36)}-${taskCounter}`;
  const reply = await client
    .as(AGENT)
    .post("/v1/tasks", { task_id, owner: "alice", repo: "acme/app", ...extra });
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
