import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import type { EvaluationResponse } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { TABLE_LOGICAL_NAMES } from "../../../lambdas/adapters/dynamo/tables";
import { SECRET_KINDS } from "../../../lambdas/core/sanitize";
import { type LocalControlPlane, startLocalControlPlane } from "../../../local/local-control-plane";
import { AGENT, gatesClient, OWNER } from "../../support/gates-client";
import { ALL_SECRETS, SECRET_SAMPLES } from "../../support/secret-samples";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";

/** Each run is a few calls; FUZZ_RUNS raises it for a longer hunt. */
const RUNS = Math.max(10, Math.floor(Number(process.env.FUZZ_RUNS ?? 200) / 4));

/** A sample secret after any escape or word character, before any suffix. */
const placedSecret = fc
  .record({
    kind: fc.constantFrom(...SECRET_KINDS),
    before: fc.constantFrom(
      "",
      "\n",
      "\t",
      "\r\n",
      "x_",
      "KEY_",
      " ",
      "\\n",
      "\u001b[0m",
      "\u202e",
      '"',
      "=",
    ),
    after: fc.constantFrom("", "\n", "_suffix", "_x", '"', ".", ",", "\u0000", "\\n"),
  })
  .map(({ kind, before, after }) => ({ kind, text: `${before}${SECRET_SAMPLES[kind].text}${after}` }));

/** Any JSON with the placed secret in some string or key, at any depth the API admits. */
const inputWith = (text: string) =>
  fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(text),
      // Between words of its own, so it stays one token of the text (as the scanner reads tokens).
      fc
        .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(" ", "\n", "\t", ": ", '","'))
        .map(([word, gap]) => `${word}${gap}${text}${gap}${word}`),
      fc.string({ maxLength: 6 }),
      fc.integer(),
      fc.array(tie("node"), { maxLength: 3 }),
      fc.dictionary(fc.oneof(fc.constant(text), fc.string({ maxLength: 6 })), tie("node"), { maxKeys: 3 }),
    ),
  })).node;

const call = placedSecret.chain((placed) =>
  fc.record({ placed: fc.constant(placed), nested: inputWith(placed.text) }),
);

let plane: LocalControlPlane;
let dataDir: string;
const output: string[] = [];
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "gates-secrets-fuzz-"));
  plane = await startLocalControlPlane({
    dataDir,
    dynamoEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix(),
    port: 0,
    notify: (text) => output.push(text),
    onError: (message, error) => output.push(`${message} ${JSON.stringify(error)}`),
  });
});
afterAll(async () => {
  await plane.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("secrets placed anywhere in a tool call", () => {
  it("never appear in an answer, a stored item, an event or a log line", async () => {
    // Prepare
    const client = gatesClient(plane.url);
    const leaks = (text: string) =>
      ALL_SECRETS.filter(({ secret }) => text.includes(secret)).map((s) => s.kind);
    let run = 0;

    // Act and assess: each run asks, reads and denies, and what comes back is checked at once.
    await fc.assert(
      fc.asyncProperty(call, async ({ placed, nested }) => {
        run += 1;
        const taskId = `fuzz-secret-${run}`;
        const answers: unknown[] = [];
        answers.push(
          (await client.as(AGENT).post("/v1/tasks", { task_id: taskId, owner: "alice", repo: "acme/app" }))
            .body,
        );
        const asked = await client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, {
          tool_name: "Write",
          tool_input: { file_path: ".env", at: placed.text, nested },
        });
        answers.push(asked.body);
        expect(asked.body.decision).toBe("REQUIRE_APPROVAL");
        const requestId = String(asked.body.request_id);
        answers.push((await client.as(OWNER).get(`/v1/tasks/${taskId}/approvals/${requestId}`)).body);
        answers.push((await client.as(OWNER).get("/v1/pending")).body);
        answers.push(
          (
            await client
              .as(OWNER)
              .post(`/v1/tasks/${taskId}/deny`, { request_id: requestId, reason: placed.text })
          ).body,
        );
        answers.push((await client.as(OWNER).get(`/v1/tasks/${taskId}/events`)).body);
        expect(leaks(JSON.stringify(answers))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    await plane.poller.drain();

    // Assess: nothing stored or printed along the way holds a secret either.
    const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
    for (const name of TABLE_LOGICAL_NAMES) {
      const scan = await doc.send(new ScanCommand({ TableName: plane.config.tables[name] }));
      expect(leaks(JSON.stringify(scan.Items ?? []))).toEqual([]);
    }
    expect(output.join("\n")).toContain("Approval requested");
    expect(leaks(output.join("\n"))).toEqual([]);
  }, 300_000);
});
