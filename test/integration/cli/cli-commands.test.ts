import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER, waitFor } from "../../support/gates-client";
import { gates, jsonOf } from "./run-cli";

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), "gates-cli-"));
});
afterAll(() => h.stop());

const asOwner = (argv: string[]) => gates(h.plane.url, OWNER, argv);

describe("gates pending and show", () => {
  it("lists a pending request in a table and as JSON", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const table = await asOwner(["pending"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/TASK\s+REQUEST\s+SEVERITY\s+DEADLINE/);
    expect(table.stdout).toContain(requestId);
    const json = jsonOf(await asOwner(["pending", "--json"]));
    expect(json.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ task_id: taskId, request_id: requestId })]),
    );
  });

  it("shows one request, and hints at `gates pending` for an unknown one", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const shown = await asOwner(["show", taskId, requestId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/status\s+PENDING/);
    const missing = await asOwner(["show", "no-such-task", requestId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error TASK_NOT_FOUND:");
    expect(missing.stderr).toContain("gates pending");
  });

  it("redraws pending --watch until stopped, then exits 0", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const run = await gates(h.plane.url, OWNER, ["pending", "--watch"], { signal: stop.signal });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Ctrl-C to quit");
  });

  it("says how to authenticate on a 401", async () => {
    const run = await gates(h.plane.url, undefined, ["pending"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error UNAUTHENTICATED:");
    expect(run.stderr).toContain("set GATES_TOKEN or run `gates login`");
  });

  it("strips escape sequences from server text before printing", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId, "git push --force origin main \u001b[2J\u0007");
    const shown = await asOwner(["show", taskId, requestId]);
    const controls = [...shown.stdout].filter((ch) => ch !== "\n" && (ch.codePointAt(0) ?? 0) < 0x20);
    expect(controls).toEqual([]);
  });
});

describe("gates approve and deny", () => {
  it("approves with a scope, and refuses all_session without --yes (exit 2)", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const refused = await asOwner(["approve", taskId, requestId, "--scope", "all_session"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    const ok = await asOwner(["approve", taskId, requestId, "--scope", "all_session", "--yes", "--json"]);
    expect(ok.code).toBe(0);
    expect(jsonOf(ok)).toMatchObject({ status: "APPROVED", scope: "all_session" });
    const again = await asOwner(["approve", taskId, requestId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("REQUEST_ALREADY_DECIDED");
  });

  it("refuses an agent token with 403", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const run = await gates(h.plane.url, AGENT, ["approve", taskId, requestId]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error FORBIDDEN:");
  });

  it("denies with --reason and with --reason-file, but not both", async () => {
    const taskId = await createTask(h.client);
    const first = await requestApproval(h.client, taskId);
    expect((await asOwner(["deny", taskId, first, "--reason", "nope"])).stdout).toContain(`Denied ${first}`);
    // A recent denial blocks similar calls on the task, so the second request is on another task.
    const otherTask = await createTask(h.client);
    const second = await requestApproval(h.client, otherTask);
    const file = join(dir, "reason.txt");
    await writeFile(file, "see the runbook\n");
    const denied = jsonOf(await asOwner(["deny", otherTask, second, "--reason-file", file, "--json"]));
    expect(denied).toMatchObject({ status: "DENIED", deny_reason: "see the runbook" });
    const both = await asOwner(["deny", otherTask, second, "--reason", "a", "--reason-file", file]);
    expect(both.code).toBe(2);
  });

  it("exits 2 on a missing argument or an unknown command", async () => {
    expect((await asOwner(["approve", "only-task"])).code).toBe(2);
    expect((await asOwner(["frobnicate"])).code).toBe(2);
  });
});

describe("gates task, cancel, grants revoke and events", () => {
  it("shows a task, revokes a grant and cancels it", async () => {
    const taskId = await createTask(h.client, { initial_grants: ["tool:Read"] });
    const shown = await asOwner(["task", taskId]);
    expect(shown.stdout).toMatch(/status\s+RUNNING/);
    expect(shown.stdout).toContain("tool:Read");
    expect(jsonOf(await asOwner(["task", taskId, "--json"]))).toMatchObject({
      task_id: taskId,
      grants: [expect.anything()],
    });
    expect((await asOwner(["grants", "revoke", taskId, "tool:Read"])).code).toBe(0);
    const missing = await asOwner(["grants", "revoke", taskId, "tool:Read"]);
    expect(missing.stderr).toContain("GRANT_NOT_FOUND");
    const cancelled = jsonOf(await asOwner(["cancel", taskId, "--reason", "stop", "--json"]));
    expect(cancelled).toMatchObject({ status: "CANCELLED" });
  });

  it("verifies the ledger, and names the first tampered seq", async () => {
    const taskId = await createTask(h.client);
    await requestApproval(h.client, taskId);
    const ok = await asOwner(["events", taskId, "--verify"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("chain verified");
    expect(jsonOf(await asOwner(["events", taskId, "--verify", "--json"]))).toMatchObject({
      verify: { ok: true },
    });

    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    await doc.send(
      new UpdateCommand({
        TableName: h.plane.config.tables.Events,
        Key: { task_id: taskId, seq: 2 },
        UpdateExpression: "SET #d = :d",
        ExpressionAttributeNames: { "#d": "data" },
        ExpressionAttributeValues: { ":d": { tool_name: "Read", decision: "ALLOW" } },
      }),
    );
    const bad = await asOwner(["events", taskId, "--verify"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("chain broken at seq 2");
  });

  it("sees events deleted from the end of the ledger, live and in an export", async () => {
    // Prepare: a ledger of four events, exported whole, then its last two deleted.
    const taskId = await createTask(h.client);
    await requestApproval(h.client, taskId);
    await requestApproval(h.client, taskId, "git push --force origin master");
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/cancel`, {});
    const whole = (await asOwner(["--json", "events", taskId])).stdout;
    const exported = JSON.parse(whole) as { items: { seq: number }[]; head: { last_event_seq: number } };
    expect(exported.head.last_event_seq).toBe(4);
    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    for (const seq of [3, 4])
      await doc.send(
        new DeleteCommand({ TableName: h.plane.config.tables.Events, Key: { task_id: taskId, seq } }),
      );
    const wholeFile = join(dir, "whole.json");
    const cutFile = join(dir, "cut.json");
    await writeFile(wholeFile, whole);
    await writeFile(cutFile, JSON.stringify({ ...exported, items: exported.items.slice(0, 2) }));

    // Act
    const live = await asOwner(["events", taskId, "--verify"]);
    const liveJson = jsonOf(await asOwner(["--json", "events", taskId, "--verify"]));
    const copy = await gates(h.plane.url, undefined, ["verify", wholeFile]);
    const cutCopy = await gates(h.plane.url, undefined, ["verify", cutFile]);
    const headless = await gates(h.plane.url, undefined, [
      "verify",
      cutFile,
      "--head-seq",
      "2",
      "--head-hash",
      "0".repeat(64),
    ]);

    // Assess
    expect(live.code).toBe(1);
    expect(live.stdout).toContain(
      "chain broken at seq 3: the ledger ends at seq 2 but the task's last event is seq 4",
    );
    expect(liveJson).toMatchObject({ verify: { ok: false, seq: 3 }, head: { last_event_seq: 4 } });
    expect([copy.code, copy.stdout]).toEqual([0, expect.stringContaining("chain verified: 4 events")]);
    expect([cutCopy.code, cutCopy.stdout]).toEqual([
      1,
      expect.stringContaining("events are missing from the end"),
    ]);
    expect([headless.code, headless.stdout]).toEqual([1, expect.stringContaining("last event hash")]);
  });

  it("refuses to verify a file that is not an events export, or has no head to check against", async () => {
    // Prepare
    const notJson = join(dir, "not.json");
    const noHead = join(dir, "nohead.json");
    await writeFile(notJson, "{");
    await writeFile(noHead, JSON.stringify({ items: [] }));

    // Act
    const runs = await Promise.all(
      [notJson, noHead].map((f) => gates(h.plane.url, undefined, ["verify", f])),
    );

    // Assess
    expect(runs.map((r) => r.code)).toEqual([2, 2]);
    expect(runs[1]?.stderr).toContain("--head-seq");
  });
});

describe("gates policies", () => {
  const cedar = `@rule_id("no_prod_deploy")
@tier("hard")
forbid (principal, action, resource)
when { context has command_lower && context.command_lower like "*deploy prod*" };
`;

  it("lists and shows the rules", async () => {
    const list = await asOwner(["policies", "list", "acme/app"]);
    expect(list.stdout).toMatch(/rm_rf_root\s+hard\s+builtin/);
    const show = await asOwner(["policies", "show", "acme/app"]);
    expect(show.stdout).toContain("version     0 (built-ins only)");
    expect(jsonOf(await asOwner(["policies", "show", "acme/app", "--json"]))).toMatchObject({ version: 0 });
  });

  it("pushes a policy file as an admin, and prints diagnostics for a bad one", async () => {
    const good = join(dir, "good.cedar");
    await writeFile(good, cedar);
    const pushed = await gates(h.plane.url, ADMIN, [
      "policies",
      "push",
      "acme/cli",
      good,
      "--disable",
      "force_push",
    ]);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain("version 1");
    const bad = join(dir, "bad.cedar");
    await writeFile(bad, `@tier("hard")\nforbid (principal, action, resource);\n`);
    const rejected = await gates(h.plane.url, ADMIN, ["policies", "push", "acme/cli", bad]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/RULE\s+PROBLEM/);
  });

  it("runs a cases file through the dry run, with and without candidate policies", async () => {
    const cases = join(dir, "cases.yaml");
    await writeFile(
      cases,
      `- name: listing is fine
  tool_name: Bash
  tool_input: { command: ls -la }
  expect: ALLOW
- name: force push asks
  tool_name: Bash
  tool_input: { command: git push --force origin main }
  expect: { decision: REQUIRE_APPROVAL, rule_ids: [force_push, force_push_protected] }
- name: prod deploy is denied
  tool_name: Bash
  tool_input: { command: make deploy prod }
  expect: DENY
`,
    );
    const published = await asOwner(["policies", "test", "acme/app", cases]);
    expect(published.code).toBe(1);
    expect(published.stdout).toMatch(/FAIL\s+prod deploy is denied/);
    expect(published.stdout).toContain("2 passed, 1 failed");
    const file = join(dir, "candidate.cedar");
    await writeFile(file, cedar);
    const candidate = await asOwner(["policies", "test", "acme/app", cases, "--policies", file, "--json"]);
    expect(candidate.code).toBe(0);
    expect(jsonOf(candidate)).toMatchObject({ passed: 3, failed: 0 });
  });

  it("passes the sample cases file shipped with the examples", async () => {
    const sample = join(__dirname, "../../../examples/policy-tests/builtin.cases.yaml");
    const run = await asOwner(["policies", "test", "fresh/repo", sample]);
    expect(run.stdout).toContain("10 passed, 0 failed");
    expect(run.code).toBe(0);
  });

  it("refuses a malformed cases file", async () => {
    const cases = join(dir, "broken.yaml");
    await writeFile(cases, "- name: no tool\n  expect: MAYBE\n");
    const run = await asOwner(["policies", "test", "acme/app", cases]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("not a list of cases");
  });
});

describe("gates doctor", () => {
  it("is all green against the local control plane", async () => {
    const run = await gates(h.plane.url, undefined, ["doctor"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const check of [
      "health",
      "hard rule denies",
      "soft rule asks",
      "agent cannot approve",
      "approval round-trips",
      "ledger verifies",
    ])
      expect(run.stdout).toMatch(new RegExp(`OK\\s+${check}`));
    expect(run.stdout).toMatch(/SKIP\s+timeout denies/);
    const json = jsonOf(await gates(h.plane.url, undefined, ["doctor", "--json"]));
    expect(json).toMatchObject({ ok: true });
  });

  it("with --full, checks that an unanswered request times out into a denial", async () => {
    const doctorHuman = h.client.as("local:human:doctor");
    const running = gates(h.plane.url, undefined, ["doctor", "--full"]);
    // The doctor waits out a 30 s deadline; the harness clock jumps past it instead.
    await waitFor(
      async () => {
        const pending = await doctorHuman.get<{ items: { task_id: string }[] }>("/v1/pending");
        return pending.body.items.some((i) => i.task_id.endsWith("-timeout")) ? true : undefined;
      },
      20_000,
      "the doctor's timeout request",
    );
    h.clock.advance(31_000);
    const run = await running;
    expect(run.stdout).toMatch(/OK\s+timeout denies\s+unanswered for 30 s → TIMED_OUT; asking again → DENY/);
    expect(run.code).toBe(0);
  });

  it("fails when it cannot reach the control plane", async () => {
    const run = await gates("http://127.0.0.1:9", undefined, ["doctor"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+health/);
  });
});
