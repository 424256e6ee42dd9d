import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { ROUTES } from "../../../lambdas/routes";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, OWNER, type Reply } from "../../support/gates-client";
import { linkCodeFor, postSigned, slashCommand } from "../slack/slack-fakes";

const ROOT = join(__dirname, "../../..");
const COMMITTED = JSON.parse(readFileSync(join(ROOT, "contracts/openapi.json"), "utf8")) as OpenApi;

interface OpenApi {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: Record<string, unknown>;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** Validates answers against the document's own response schemas, references resolved by ajv. */
class Conformance {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  /** `operationId status` of every answer checked. */
  readonly seen = new Set<string>();

  constructor(private readonly document: OpenApi) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: "doc", components: document.components });
  }

  check(operationId: string, reply: Pick<Reply<unknown>, "status" | "body">): void {
    const entry = Object.entries(this.document.paths)
      .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })))
      .find((e) => e.op.operationId === operationId);
    if (!entry) throw new Error(`${operationId} is not in the document`);
    const status = String(reply.status);
    let response = entry.op.responses[status] as { $ref?: string; content?: unknown } | undefined;
    if (response?.$ref) response = this.resolve(response.$ref) as typeof response;
    if (!response)
      throw new Error(`${operationId} answered ${status}, which its OpenAPI entry does not list`);
    const key = `${operationId} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const schema = (response.content as Record<string, { schema: unknown }>)["application/json"]?.schema;
      validate = this.ajv.compile(rebase(schema) as object);
      this.validators.set(key, validate);
    }
    if (!validate(reply.body))
      throw new Error(`${key} does not match its schema: ${this.ajv.errorsText(validate.errors)}`);
    this.seen.add(key);
  }

  private resolve(ref: string): unknown {
    return ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], this.document);
  }
}

/** Points the document's local references at the copy of its components ajv holds. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
}

describe("the API against its OpenAPI document", () => {
  it("serves the committed document at GET /v1/openapi.json, valid OpenAPI 3.1", async () => {
    // Act
    const reply = await h.client.as(undefined).get("/v1/openapi.json");
    const dir = mkdtempSync(join(tmpdir(), "gates-openapi-"));
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(reply.body));
    const cli = join(ROOT, "node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js");
    const run = spawnSync(process.execPath, [cli, file], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(COMMITTED);
    expect(JSON.parse(run.stdout)).toEqual({ valid: true });
    expect(run.status).toBe(0);
  });

  it("answers every route, successes and errors alike, in the shapes the document gives", async () => {
    // Prepare
    const c = new Conformance(COMMITTED);
    const agent = h.client.as(AGENT);
    const alice = h.client.as(OWNER);
    const bob = h.client.as(APPROVER);
    const task = await createTask(h.client, { initial_grants: ["tool:Read"] });
    const requestId = await requestApproval(h.client, task);
    const other = await createTask(h.client);
    const otherRequest = await requestApproval(h.client, other);

    // Act and assess, one route after another
    c.check("health", await agent.get("/v1/health"));
    c.check("getOpenApi", await h.client.as(undefined).get("/v1/openapi.json"));
    c.check("whoami", await agent.get("/v1/whoami"));
    c.check("whoami", await h.client.as(undefined).get("/v1/whoami"));
    const body = { task_id: `${task}-again`, owner: "alice", repo: "acme/app" };
    c.check("createTask", await agent.post("/v1/tasks", body));
    c.check("createTask", await agent.post("/v1/tasks", body));
    c.check("createTask", await agent.post("/v1/tasks", { ...body, repo: "acme/other" }));
    c.check("createTask", await agent.post("/v1/tasks", { owner: "alice" }));
    c.check("createTask", await agent.post("/v1/tasks", "{not json"));
    c.check("createTask", await alice.post("/v1/tasks", body));
    const call = { tool_name: "Bash", tool_input: { command: "ls" } };
    c.check("evaluateToolCall", await agent.post(`/v1/tasks/${task}/tool-calls`, call));
    c.check("evaluateToolCall", await agent.post("/v1/tasks/no-such-task/tool-calls", call));
    const tracked = await agent.post(`/v1/tasks/${task}/tool-calls`, { ...call, track_outcome: true });
    c.check("evaluateToolCall", tracked);
    const outcome = { event_seq: tracked.body.event_seq, outcome: "executed", duration_ms: 3 };
    c.check("reportOutcome", await agent.post(`/v1/tasks/${task}/outcomes`, outcome));
    c.check("reportOutcome", await agent.post(`/v1/tasks/${task}/outcomes`, outcome));
    const withdrawn = await requestApproval(h.client, task, "terraform apply");
    c.check("withdrawApproval", await agent.post(`/v1/tasks/${task}/approvals/${withdrawn}/withdraw`, {}));
    c.check("withdrawApproval", await agent.post(`/v1/tasks/${task}/approvals/${withdrawn}/withdraw`, {}));
    c.check("getApproval", await agent.get(`/v1/tasks/${task}/approvals/${requestId}?wait_s=0`));
    c.check("getApproval", await agent.get(`/v1/tasks/${task}/approvals/${"0".repeat(26)}`));
    c.check("getTask", await alice.get(`/v1/tasks/${task}`));
    c.check("listEvents", await alice.get(`/v1/tasks/${task}/events?limit=2`));
    c.check("listPending", await bob.get("/v1/pending?limit=10"));
    c.check("listPending", await agent.get("/v1/pending"));
    c.check(
      "approve",
      await bob.post(`/v1/tasks/${task}/approve`, { request_id: requestId, scope: "tool:Bash" }),
    );
    c.check("approve", await bob.post(`/v1/tasks/${task}/approve`, { request_id: requestId }));
    c.check("deny", await bob.post(`/v1/tasks/${other}/deny`, { request_id: otherRequest, reason: "no" }));
    c.check("revokeGrant", await alice.post(`/v1/tasks/${task}/grants/revoke`, { scope: "tool:Bash" }));
    c.check("revokeGrant", await alice.post(`/v1/tasks/${task}/grants/revoke`, { scope: "tool:Nope" }));
    c.check("getPolicies", await agent.get("/v1/repos/acme%2Fapp/policies"));
    c.check("dryRunPolicies", await agent.post("/v1/repos/acme%2Fapp/policies/evaluate", call));
    const rule =
      '@rule_id("conformance_rule")\n@tier("hard")\nforbid (principal, action, resource) when { context.tool == "Nope" };';
    c.check(
      "publishPolicies",
      await h.client.as(ADMIN).put("/v1/repos/conformance/policies", { policies: rule }),
    );
    c.check(
      "publishPolicies",
      await h.client.as(ADMIN).put("/v1/repos/conformance/policies", { policies: "forbid (" }),
    );
    const code = await linkCodeFor(h, { team: "TC", user: "UC1" });
    c.check("linkSlack", await bob.post("/v1/slack/link", { code }));
    c.check("linkSlack", await bob.post("/v1/slack/link", { code: "!" }));
    c.check("unlinkSlack", await bob.delete("/v1/slack/link"));
    c.check(
      "slackCommands",
      await postSigned(h, "/v1/slack/commands", slashCommand({ team: "TC", user: "UC2" }, "help")),
    );
    c.check(
      "slackInteractions",
      await postSigned(h, "/v1/slack/interactions", "payload=%7B%7D", { signature: "v0=bad" }),
    );
    const admin = h.client.as(ADMIN);
    c.check(
      "createTask",
      await agent.post("/v1/tasks", { ...body, task_id: `${task}-self`, approvers: ["mallory"] }),
    );
    c.check("getSettings", await agent.get("/v1/repos/acme%2Fapp/settings"));
    c.check("getSettings", await agent.get("/v1/repos/conformance/settings"));
    c.check(
      "publishSettings",
      await admin.put("/v1/repos/conformance/settings", { approvers: { users: ["bob"] } }),
    );
    c.check("publishSettings", await admin.put("/v1/repos/conformance/settings", { allowed_owners: [] }));
    c.check("publishSettings", await bob.put("/v1/repos/conformance/settings", {}));
    const lock = await admin.post<{ lock_id: string }>("/v1/locks", {
      target: "repo:conformance-locked/*",
      reason: "conformance",
      expires_in_s: 600,
    });
    c.check("placeLock", lock);
    c.check("placeLock", await admin.post("/v1/locks", { target: "somewhere", reason: "x" }));
    c.check("listLocks", await bob.get("/v1/locks"));
    c.check("listLockEvents", await bob.get("/v1/locks/events?limit=10"));
    c.check("liftLock", await admin.delete(`/v1/locks/${lock.body.lock_id}`));
    c.check("liftLock", await admin.delete(`/v1/locks/${lock.body.lock_id}`));
    c.check("finishTask", await agent.post(`/v1/tasks/${other}/finish`, { status: "COMPLETED" }));
    c.check("cancelTask", await alice.post(`/v1/tasks/${other}/cancel`, {}));
    c.check("cancelTask", await alice.post(`/v1/tasks/${task}/cancel`, { reason: "done" }));

    // Assess: every route was answered with a success at least once, Slack's refusal aside
    const succeeded = new Set([...c.seen].filter((k) => /\s2\d\d$/.test(k)).map((k) => k.split(" ")[0]));
    const missing = ROUTES.map((r) => r.operation).filter(
      (op) => !succeeded.has(op) && op !== "slackInteractions",
    );
    expect(missing).toEqual([]);
    expect([...c.seen]).toEqual(
      expect.arrayContaining([
        "createTask 409",
        "createTask 403",
        "approve 409",
        "revokeGrant 404",
        "publishPolicies 422",
        "publishSettings 422",
        "liftLock 404",
      ]),
    );
  });
});
