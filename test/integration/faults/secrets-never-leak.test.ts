import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { EvaluationResponse } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { TABLE_LOGICAL_NAMES } from "../../../lambdas/adapters/dynamo/tables";
import { SECRET_KINDS } from "../../../lambdas/core/sanitize";
import { startLocalControlPlane } from "../../../local/local-control-plane";
import { startFakeSlack } from "../../support/fake-slack";
import { AGENT, gatesClient, OWNER } from "../../support/gates-client";
import { ALL_SECRETS, INPUT_POSITIONS, SECRET_SAMPLES, TEXT_POSITIONS } from "../../support/secret-samples";
import { gates } from "../cli/run-cli";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";

const positions = Object.entries(TEXT_POSITIONS);

describe("secrets in what agents and humans send", () => {
  it("appear in no stored item, event, API answer, log line, metrics line, Slack payload, terminal or CLI output, for every kind in every position", async () => {
    // Prepare
    const output: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), "gates-secrets-"));
    const slack = await startFakeSlack();
    const plane = await startLocalControlPlane({
      dataDir,
      slackFanout: { botToken: "xoxb-test", channel: "CSECRETS", apiUrl: slack.apiUrl },
      dynamoEndpoint: testDynamoEndpoint(),
      tablePrefix: uniquePrefix(),
      port: 0,
      notify: (text) => output.push(text),
      onError: (message, error) => output.push(`${message} ${JSON.stringify(error)}`),
    });
    const answers: string[] = [];
    try {
      const client = gatesClient(plane.url);
      const keep = <T>(r: { body: T }) => {
        answers.push(JSON.stringify(r.body));
        return r;
      };
      let requests = 0;
      const firstRequest = new Map<string, string>();

      // Act: one task per kind and position, so its few requests stay under the per-task rate limit;
      // the kinds run side by side.
      const sendKind = async (kind: (typeof SECRET_KINDS)[number]) => {
        for (const [position, place] of positions) {
          const text = place(SECRET_SAMPLES[kind].text);
          const taskId = `leaky-${kind}-${positions.findIndex(([p]) => p === position)}`;
          const task = {
            task_id: taskId,
            owner: "alice",
            repo: "acme/app",
            description: `deploy with ${text}`,
          };
          // The repo's settings let no agent pre-grant itself: the refusal quotes the scope it refused.
          const refused = await client
            .as(AGENT)
            .post("/v1/tasks", { ...task, initial_grants: [`command:deploy ${text} *`] });
          keep(refused);
          expect(refused.status).toBe(403);
          keep(await client.as(AGENT).post("/v1/tasks", task));
          const asked: EvaluationResponse[] = [];
          for (const build of Object.values(INPUT_POSITIONS)) {
            const reply = keep(
              await client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, {
                tool_name: "Write",
                tool_input: { file_path: ".env", ...build(text) },
                tool_use_id: `call ${text}`.slice(0, 256),
              }),
            );
            expect(reply.body.decision).toBe("REQUIRE_APPROVAL");
            asked.push(reply.body);
            requests += 1;
          }
          // A tool name carrying the secret: whatever the decision, the name is stored and shown.
          keep(
            await client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
              tool_name: `${SECRET_SAMPLES[kind].text}_tool`.slice(0, 128),
              tool_input: { command: "git push --force origin main" },
            }),
          );
          const [first, second] = asked.map((a) => String(a.request_id));
          firstRequest.set(taskId, String(first));
          keep(await client.as(OWNER).get(`/v1/tasks/${taskId}/approvals/${first}`));
          keep(
            await client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, {
              request_id: first,
              scope: `command:deploy ${text} --now`.slice(0, 256),
            }),
          );
          keep(
            await client
              .as(OWNER)
              .post(`/v1/tasks/${taskId}/deny`, { request_id: second, reason: `never ${text}` }),
          );
          keep(
            await client.as(OWNER).post(`/v1/tasks/${taskId}/grants/revoke`, { scope: `command:${text}` }),
          );
          keep(await client.as(OWNER).get(`/v1/tasks/${taskId}`));
          keep(await client.as(OWNER).get(`/v1/tasks/${taskId}/events`));
        }
        keep(await client.as(OWNER).get("/v1/pending?limit=100"));
      };
      await Promise.all(SECRET_KINDS.map(sendKind));
      const cliTask = "leaky-password-0";
      for (const argv of [
        ["show", cliTask, String(firstRequest.get(cliTask))],
        ["events", cliTask],
        ["task", cliTask],
        ["--json", "events", cliTask],
        ["pending"],
      ]) {
        const run = await gates(plane.url, OWNER, argv);
        output.push(run.stdout, run.stderr);
      }
      keep(
        await client
          .as(OWNER)
          .post(`/v1/tasks/${cliTask}/cancel`, { reason: `leaked ${SECRET_SAMPLES.aws_secret_key.text}` }),
      );
      // Every event of the whole run goes through the fan-outs; give a busy machine time.
      await plane.poller.drain(120_000);

      // Assess
      const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
      const stored: string[] = [];
      for (const name of TABLE_LOGICAL_NAMES) {
        const scan = await doc.send(new ScanCommand({ TableName: plane.config.tables[name] }));
        stored.push(JSON.stringify(scan.Items ?? []));
      }
      const files = ["metrics.log", "dlq.jsonl"].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
      const written = files.map((f) => readFileSync(f, "utf8"));
      const slackPayloads = slack.calls.map((c) => JSON.stringify(c));
      expect(slack.callsTo("chat.postMessage").length).toBeGreaterThanOrEqual(requests);
      const everything = [...stored, ...answers, ...output, ...written, ...slackPayloads].join("\n");
      for (const kind of SECRET_KINDS) expect(everything).toContain(`[REDACTED:${kind}]`);
      for (const { secret } of ALL_SECRETS) expect(everything).not.toContain(secret);
      expect(output.join("\n")).toContain("Approval requested");
    } finally {
      await plane.stop();
      await slack.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
