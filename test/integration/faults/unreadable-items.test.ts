import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { EvaluationResponse } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER, waitFor } from "../../support/gates-client";

/**
 * Items written straight into the tables, as a bug, a hand edit or a restore from an older schema
 * could leave them: every read that meets one answers 503 SERVICE_UNAVAILABLE (which agents treat as
 * a DENY), never a 500 and never an ALLOW, and the log names the item and the field without its value.
 */
let h: Harness;
let doc: DynamoDBDocumentClient;
const logged: unknown[] = [];

beforeAll(async () => {
  h = await startHarness({ onError: (_message, detail) => logged.push(detail) });
  doc = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint }).doc;
});
afterAll(async () => {
  doc.destroy();
  await h.stop();
});
beforeEach(() => {
  logged.length = 0;
});

/** A value no log line may ever show: it stands for tool input, or for whatever a corrupt field holds. */
const SECRET = "sk-live-4f9c2a7e1b";

const tables = () => h.plane.config.tables;

/** What the API logged as the cause of its last 5xx answer. */
function loggedCause(): string {
  const cause = (logged.at(-1) as { cause?: { message?: string } } | undefined)?.cause?.message;
  if (cause === undefined) throw new Error(`no cause was logged: ${JSON.stringify(logged)}`);
  return cause;
}

function expectServiceUnavailable(reply: { status: number; body: unknown }) {
  expect([reply.status, reply.body]).toEqual([
    503,
    { error: expect.objectContaining({ code: "SERVICE_UNAVAILABLE" }) },
  ]);
}

describe("a stored item that does not match its schema", () => {
  it("answers the agent's tool call with 503, not an ALLOW, when its task item is corrupt", async () => {
    // Prepare: a call the policies allow, then a task whose status is no status.
    const taskId = await createTask(h.client);
    const call = { tool_name: "Bash", tool_input: { command: "ls" } };
    const before = await h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, call);
    expect(before.body.decision).toBe("ALLOW");
    await doc.send(
      new UpdateCommand({
        TableName: tables().Tasks,
        Key: { task_id: taskId },
        UpdateExpression: "SET #status = :bad",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":bad": SECRET },
      }),
    );

    // Act
    const after = await h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, call);

    // Assess
    expectServiceUnavailable(after);
    expect(after.body.decision).toBeUndefined();
    const cause = loggedCause();
    expect(cause).toContain(`Tasks item {"task_id":"${taskId}"}`);
    expect(cause).toContain("status: invalid_value");
    expect(cause).not.toContain(SECRET);
  });

  it("answers the approver with 503 when the request item is corrupt, and never logs its tool input", async () => {
    // Prepare: a request whose severity is unknown, with tool input beside it.
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await doc.send(
      new UpdateCommand({
        TableName: tables().Approvals,
        Key: { task_id: taskId, request_id: requestId },
        UpdateExpression: "SET severity = :bad, tool_input_preview = :input",
        ExpressionAttributeValues: { ":bad": "catastrophic", ":input": `{"token":"${SECRET}"}` },
      }),
    );

    // Act
    const approved = await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    // Assess
    expectServiceUnavailable(approved);
    const cause = loggedCause();
    expect(cause).toContain(`Approvals item {"task_id":"${taskId}","request_id":"${requestId}"}`);
    expect(cause).toContain("severity: invalid_value");
    expect(cause).not.toContain("catastrophic");
    expect(cause).not.toContain(SECRET);
  });

  it("answers a ledger read with 503 when an event lost a field", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    await doc.send(
      new UpdateCommand({
        TableName: tables().Events,
        Key: { task_id: taskId, seq: 1 },
        UpdateExpression: "REMOVE #hash",
        ExpressionAttributeNames: { "#hash": "hash" },
      }),
    );

    // Act
    const events = await h.client.as(OWNER).get(`/v1/tasks/${taskId}/events`);

    // Assess
    expectServiceUnavailable(events);
    expect(loggedCause()).toContain(`Events item {"task_id":"${taskId}","seq":1}`);
    expect(loggedCause()).toContain("hash: invalid_type, expected string");
  });

  it("refuses to register a task with 503 rather than fall back to defaults when its settings are corrupt", async () => {
    // Prepare: settings of a layer of their own, whose allowed owners are no list.
    const published = await h.client.as(ADMIN).put("/v1/repos/corrupt%2F*/settings", {
      approvers: { users: ["bob"] },
      allowed_owners: ["alice"],
    });
    expect(published.status).toBe(200);
    await doc.send(
      new UpdateCommand({
        TableName: tables().RepoSettings,
        Key: { layer: "corrupt/*", version: 1 },
        UpdateExpression: "SET settings.allowed_owners = :bad",
        ExpressionAttributeValues: { ":bad": SECRET },
      }),
    );

    // Act
    const created = await h.client
      .as(AGENT)
      .post("/v1/tasks", { task_id: "t-corrupt-settings", owner: "mallory", repo: "corrupt/app" });

    // Assess
    expectServiceUnavailable(created);
    const cause = loggedCause();
    expect(cause).toContain(`RepoSettings item {"layer":"corrupt/*","version":1}`);
    expect(cause).toContain("settings.allowed_owners: invalid_type, expected array");
    expect(cause).not.toContain(SECRET);
  });

  it("answers 503, not an ALLOW, when the lock that stops a task can no longer be read", async () => {
    // Prepare: a task under a lock, then the lock's target rewritten into no target at all.
    const created = await h.client
      .as(AGENT)
      .post("/v1/tasks", { task_id: "t-corrupt-lock", owner: "alice", repo: "locked/app" });
    expect(created.status).toBe(201);
    const placed = await h.client
      .as(ADMIN)
      .post<{ lock_id: string }>("/v1/locks", { target: "repo:locked/*", reason: "incident 42" });
    expect(placed.status).toBe(201);
    const call = { tool_name: "Bash", tool_input: { command: "ls" } };
    const locked = await h.client
      .as(AGENT)
      .post<EvaluationResponse>("/v1/tasks/t-corrupt-lock/tool-calls", call);
    expect(locked.body.decision).toBe("DENY");
    const key = { pk: "active", sk: placed.body.lock_id };
    await doc.send(
      new UpdateCommand({
        TableName: tables().Locks,
        Key: key,
        UpdateExpression: "SET #target = :bad",
        ExpressionAttributeNames: { "#target": "target" },
        ExpressionAttributeValues: { ":bad": `Repo:locked/* ${SECRET}` },
      }),
    );

    try {
      // Act: the process keeps its copy of the locks for a moment, so ask until it reads them again.
      const answers: { status: number; decision?: string }[] = [];
      const evaluated = await waitFor(
        async () => {
          const reply = await h.client
            .as(AGENT)
            .post<EvaluationResponse>("/v1/tasks/t-corrupt-lock/tool-calls", call);
          answers.push({ status: reply.status, decision: reply.body.decision });
          return reply.status === 503 ? reply : undefined;
        },
        10_000,
        "the evaluation to read the corrupt lock",
      );
      const listed = await h.client.as(ADMIN).get("/v1/locks");

      // Assess: the kept copy still denied; the unreadable lock answers 503; nothing was ever allowed.
      expect(answers.filter((a) => a.status !== 503)).toEqual(
        answers.slice(0, -1).map(() => ({ status: 200, decision: "DENY" })),
      );
      expectServiceUnavailable(evaluated);
      expect(evaluated.body.decision).toBeUndefined();
      expectServiceUnavailable(listed);
      const cause = loggedCause();
      expect(cause).toContain(`Locks item ${JSON.stringify(key)}`);
      expect(cause).toContain("target: custom");
      expect(cause).not.toContain(SECRET);
    } finally {
      // Every evaluation reads every lock: the other tests must not meet this one.
      await doc.send(new DeleteCommand({ TableName: tables().Locks, Key: key }));
    }
  });
});
