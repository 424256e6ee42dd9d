import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { EvaluationResponse } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { TABLE_LOGICAL_NAMES } from "../../../lambdas/adapters/dynamo/tables";
import { startLocalControlPlane } from "../../../local/local-control-plane";
import { startFakeSlack } from "../../support/fake-slack";
import { AGENT, gatesClient, OWNER } from "../../support/gates-client";
import { gates } from "../cli/run-cli";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";

// Built from pieces so that secret scanners of code hosts do not flag this file.
const AWS_KEY = ["AKIA", "Z7QWERTYUIOPASDF"].join("");
const AWS_SECRET = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/");
const GITHUB_TOKEN = ["ghp", "_", "a".repeat(20), "B".repeat(16)].join("");
const PEM_BODY = "MIIEowIBAAKCAQEAsecretkeymaterial";
const PEM = ["-----BEGIN RSA PRIVATE KEY-----", PEM_BODY, "-----END RSA PRIVATE KEY-----"].join("\n");
const SECRETS = [AWS_KEY, AWS_SECRET, GITHUB_TOKEN, PEM_BODY];

describe("secrets in tool inputs and deny reasons", () => {
  it("appear in no stored item, event, API answer, log line, metrics line, Slack payload, terminal or CLI output", async () => {
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
      keep(
        await client.as(AGENT).post("/v1/tasks", {
          task_id: "leaky",
          owner: "alice",
          repo: "acme/app",
          description: `deploy with ${GITHUB_TOKEN}`,
        }),
      );
      const asked = keep(
        await client.as(AGENT).post<EvaluationResponse>("/v1/tasks/leaky/tool-calls", {
          tool_name: "Write",
          tool_input: {
            file_path: ".env",
            content: `AWS_ACCESS_KEY_ID=${AWS_KEY}\naws_secret_access_key=${AWS_SECRET}\nGITHUB_TOKEN=${GITHUB_TOKEN}\n${PEM}`,
          },
          tool_use_id: `call ${AWS_KEY}`,
        }),
      );
      expect(asked.body.decision).toBe("REQUIRE_APPROVAL");
      keep(await client.as(OWNER).get("/v1/pending"));
      keep(
        await client.as(OWNER).post("/v1/tasks/leaky/deny", {
          request_id: asked.body.request_id,
          reason: `never commit ${AWS_KEY} or ${GITHUB_TOKEN}; key was ${PEM}`,
        }),
      );
      keep(await client.as(OWNER).get("/v1/tasks/leaky/events"));
      for (const argv of [
        ["show", "leaky", String(asked.body.request_id)],
        ["events", "leaky"],
        ["task", "leaky"],
        ["--json", "events", "leaky"],
      ]) {
        const run = await gates(plane.url, OWNER, argv);
        expect(run.code).toBe(0);
        output.push(run.stdout, run.stderr);
      }
      keep(await client.as(OWNER).post("/v1/tasks/leaky/cancel", { reason: `leaked ${AWS_SECRET}` }));
      await plane.poller.drain();

      const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
      const stored: string[] = [];
      for (const name of TABLE_LOGICAL_NAMES) {
        const scan = await doc.send(new ScanCommand({ TableName: plane.config.tables[name] }));
        stored.push(JSON.stringify(scan.Items ?? []));
      }

      const files = ["metrics.log", "dlq.jsonl"].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
      const written = files.map((f) => readFileSync(f, "utf8"));
      const slackPayloads = slack.calls.map((c) => JSON.stringify(c));
      expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
      expect(slack.callsTo("chat.update")).toHaveLength(1);
      const everything = [...stored, ...answers, ...output, ...written, ...slackPayloads].join("\n");
      expect(everything).toContain("[REDACTED:");
      for (const secret of SECRETS) expect(everything).not.toContain(secret);
      expect(output.join("\n")).toContain("Approval requested");
    } finally {
      await plane.stop();
      await slack.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
