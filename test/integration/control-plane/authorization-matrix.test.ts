import { ROUTES } from "../../../lambdas/routes";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, OTHER_AGENT, OWNER, STRANGER } from "../../support/gates-client";
import { linkCodeFor } from "../slack/slack-fakes";

/**
 * Every route × every kind of caller. Expected: the status a caller gets before any
 * business rule applies; 2xx means "let through".
 */
type Caller = "anonymous" | "agent" | "other agent" | "owner" | "approver" | "stranger" | "admin";
const TOKENS: Record<Caller, string | undefined> = {
  anonymous: undefined,
  agent: AGENT,
  "other agent": OTHER_AGENT,
  owner: OWNER,
  approver: APPROVER,
  stranger: STRANGER,
  admin: ADMIN,
};
const OK = 200;
const SIGNED_BY_SLACK_ONLY: Record<Caller, number> = {
  anonymous: 401,
  agent: 401,
  "other agent": 401,
  owner: 401,
  approver: 401,
  stranger: 401,
  admin: 401,
};
const EXPECTED: Record<string, Record<Caller, number>> = {
  health: { anonymous: OK, agent: OK, "other agent": OK, owner: OK, approver: OK, stranger: OK, admin: OK },
  getOpenApi: {
    anonymous: OK,
    agent: OK,
    "other agent": OK,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  whoami: { anonymous: 401, agent: OK, "other agent": OK, owner: OK, approver: OK, stranger: OK, admin: OK },
  createTask: {
    anonymous: 401,
    agent: 201,
    "other agent": 201,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 403,
  },
  evaluateToolCall: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 403,
  },
  finishTask: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 403,
  },
  reportOutcome: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 403,
  },
  withdrawApproval: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 403,
  },
  getApproval: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  getTask: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  listEvents: {
    anonymous: 401,
    agent: OK,
    "other agent": 404,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  listPending: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  approve: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  deny: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  cancelTask: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  revokeGrant: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: 404,
    admin: 404,
  },
  getPolicies: {
    anonymous: 401,
    agent: OK,
    "other agent": OK,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  publishPolicies: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: OK,
  },
  dryRunPolicies: {
    anonymous: 401,
    agent: OK,
    "other agent": OK,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  getSettings: {
    anonymous: 401,
    agent: OK,
    "other agent": OK,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  publishSettings: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: OK,
  },
  placeLock: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: 201,
  },
  listLocks: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  listLockEvents: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  liftLock: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: 403,
    approver: 403,
    stranger: 403,
    admin: OK,
  },
  linkSlack: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  unlinkSlack: {
    anonymous: 401,
    agent: 403,
    "other agent": 403,
    owner: OK,
    approver: OK,
    stranger: OK,
    admin: OK,
  },
  // Slack's webhooks admit only a Slack signature: no bearer token of any kind gets through.
  slackInteractions: SIGNED_BY_SLACK_ONLY,
  slackCommands: SIGNED_BY_SLACK_ONLY,
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/**
 * A fresh task with a pending request and a grant, a fresh Slack link code, and a lock on a repo
 * nobody works on, so every route has something to act on.
 */
async function fixture(n: number, operation: string) {
  const taskId = await createTask(h.client, { initial_grants: ["tool:Read"] });
  const requestId = await requestApproval(h.client, taskId);
  const allowed = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
    tool_name: "Read",
    tool_input: { file_path: "README.md" },
    track_outcome: true,
  });
  const code = await linkCodeFor(h, { team: "TM", user: `U${n}` });
  // Only where it is needed: locks in force are capped, and each one is checked by every evaluation.
  const lock =
    operation === "liftLock"
      ? await h.client
          .as(ADMIN)
          .post<{ lock_id: string }>("/v1/locks", { target: `repo:matrix-lift-${n}/x`, reason: "matrix" })
      : undefined;
  return {
    taskId,
    requestId,
    code,
    allowedSeq: Number(allowed.body.event_seq),
    lockId: lock?.body.lock_id ?? "01JAAAAAAAAAAAAAAAAAAAAAAA",
  };
}

function requestFor(
  operation: string,
  ids: { taskId: string; requestId: string; code: string; allowedSeq: number; lockId: string },
  n: number,
) {
  const t = ids.taskId;
  switch (operation) {
    case "health":
      return { method: "GET", path: "/v1/health" };
    case "getOpenApi":
      return { method: "GET", path: "/v1/openapi.json" };
    case "whoami":
      return { method: "GET", path: "/v1/whoami" };
    case "createTask":
      return {
        method: "POST",
        path: "/v1/tasks",
        body: { task_id: `m-${t}-${n}`, owner: "alice", repo: "acme/app" },
      };
    case "evaluateToolCall":
      return {
        method: "POST",
        path: `/v1/tasks/${t}/tool-calls`,
        body: { tool_name: "Read", tool_input: { file_path: "a" } },
      };
    case "finishTask":
      return { method: "POST", path: `/v1/tasks/${t}/finish`, body: { status: "COMPLETED" } };
    case "reportOutcome":
      return {
        method: "POST",
        path: `/v1/tasks/${t}/outcomes`,
        body: { event_seq: ids.allowedSeq, outcome: "executed", duration_ms: 5 },
      };
    case "withdrawApproval":
      return { method: "POST", path: `/v1/tasks/${t}/approvals/${ids.requestId}/withdraw`, body: {} };
    case "getApproval":
      return { method: "GET", path: `/v1/tasks/${t}/approvals/${ids.requestId}` };
    case "getTask":
      return { method: "GET", path: `/v1/tasks/${t}` };
    case "listEvents":
      return { method: "GET", path: `/v1/tasks/${t}/events` };
    case "listPending":
      return { method: "GET", path: "/v1/pending" };
    case "approve":
      return { method: "POST", path: `/v1/tasks/${t}/approve`, body: { request_id: ids.requestId } };
    case "deny":
      return { method: "POST", path: `/v1/tasks/${t}/deny`, body: { request_id: ids.requestId } };
    case "cancelTask":
      return { method: "POST", path: `/v1/tasks/${t}/cancel`, body: {} };
    case "revokeGrant":
      return { method: "POST", path: `/v1/tasks/${t}/grants/revoke`, body: { scope: "tool:Read" } };
    case "getPolicies":
      return { method: "GET", path: "/v1/repos/acme%2Fapp/policies" };
    case "publishPolicies":
      return { method: "PUT", path: `/v1/repos/matrix-${n}/policies`, body: { policies: "" } };
    case "dryRunPolicies":
      return {
        method: "POST",
        path: "/v1/repos/acme%2Fapp/policies/evaluate",
        body: { tool_name: "Bash", tool_input: { command: "ls" } },
      };
    case "getSettings":
      return { method: "GET", path: "/v1/repos/acme%2Fapp/settings" };
    case "publishSettings":
      return { method: "PUT", path: `/v1/repos/matrix-${n}/settings`, body: { owner_approves: true } };
    case "placeLock":
      return {
        method: "POST",
        path: "/v1/locks",
        body: { target: `repo:matrix-${n}/x`, reason: "matrix", expires_in_s: 60 },
      };
    case "listLocks":
      return { method: "GET", path: "/v1/locks" };
    case "listLockEvents":
      return { method: "GET", path: "/v1/locks/events" };
    case "liftLock":
      return { method: "DELETE", path: `/v1/locks/${ids.lockId}` };
    case "linkSlack":
      return { method: "POST", path: "/v1/slack/link", body: { code: ids.code } };
    case "unlinkSlack":
      return { method: "DELETE", path: "/v1/slack/link" };
    case "slackInteractions":
      return {
        method: "POST",
        path: "/v1/slack/interactions",
        body: { payload: { type: "block_actions" }, value: `${t}|${ids.requestId}` },
      };
    case "slackCommands":
      return { method: "POST", path: "/v1/slack/commands", body: { text: "link" } };
    default:
      throw new Error(`no request for ${operation}`);
  }
}

const cases = ROUTES.flatMap((route) =>
  (Object.keys(TOKENS) as Caller[]).map((caller) => [route.operation, caller] as const),
);

describe("authorization matrix", () => {
  it("covers every route of the manifest", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(ROUTES.map((r) => r.operation).sort());
  });

  let n = 0;
  it.each(cases)("%s as %s", async (operation, caller) => {
    n += 1;
    const { method, path, body } = requestFor(operation, await fixture(n, operation), n);
    const client = h.client.as(TOKENS[caller]);
    const reply =
      method === "GET"
        ? await client.get(path)
        : method === "PUT"
          ? await client.put(path, body)
          : method === "DELETE"
            ? await client.delete(path)
            : await client.post(path, body);

    expect({ status: reply.status, body: reply.status >= 400 ? reply.body : "ok" }).toMatchObject({
      status: EXPECTED[operation]?.[caller],
    });
    if (reply.status >= 400) {
      const code = (reply.body as { error: { code: string } }).error.code;
      const byStatus: Record<number, string[]> = {
        401: ["UNAUTHENTICATED"],
        403: ["FORBIDDEN"],
        404: ["TASK_NOT_FOUND", "REQUEST_NOT_FOUND"],
      };
      expect(byStatus[reply.status]).toContain(code);
    }
  });
});
