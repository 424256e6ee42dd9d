import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Page } from "playwright-core";
import type { ApprovalView, EvaluationResponse, TaskView } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { launchChromium, type TestBrowser } from "../../support/browser";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, OWNER } from "../../support/gates-client";

let h: Harness;
let chromium: TestBrowser;
let page: Page;
/** What the page wrote to its console and any error it threw; a test may assert there were none. */
let pageErrors: string[];

beforeAll(async () => {
  h = await startHarness();
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await h?.stop();
});
beforeEach(async () => {
  page = await chromium.context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("dialog", (dialog) => {
    pageErrors.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
});
afterEach(async () => {
  await page.close();
});

/** Opens the console and signs in locally as one of the listed identities. */
async function signIn(as = "alice", path = "/") {
  await page.goto(`${h.plane.url}${path}`);
  await page.getByTestId(`identity-${as}`).click();
  await page.getByTestId("who").waitFor();
}

/**
 * Evaluates an expression in the page. Given as text because this project's types describe Node,
 * not the DOM the expression runs in.
 */
function inPage<T = unknown>(expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

const evaluate = (taskId: string, tool_input: Record<string, unknown>, tool_name = "Bash") =>
  h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, { tool_name, tool_input });

/** The agent's long-poll for a decision, started now and settled when the API answers. */
function agentWaits(taskId: string, requestId: string) {
  return h.client.as(AGENT).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}?wait_s=25`);
}

describe("the console in Chromium, against a local control plane", () => {
  it("signs in from the list of local identities, marked as local mode", async () => {
    await page.goto(`${h.plane.url}/`);

    await page.getByTestId("local-mode-notice").waitFor();
    await page.getByTestId("identity-alice").click();

    expect(await page.getByTestId("who").textContent()).toContain("alice");
    expect(await page.getByTestId("local-badge").textContent()).toBe("LOCAL MODE");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Inbox");
  });

  it("shows a request that arrives after the page opened, without a reload", async () => {
    await signIn();
    await page.getByTestId("inbox-status").filter({ hasNotText: "Loading" }).waitFor();
    const taskId = await createTask(h.client);

    const requestId = await requestApproval(h.client, taskId);

    const row = page.locator(`[data-request-id="${requestId}"]`);
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain("Bash");
    expect(text).toContain("force_push_protected");
    expect(text).toContain(`task ${taskId}`);
    expect(text).toMatch(/\d:\d\d/);
  });

  it("approves with a scope while the agent long-polls, and the agent unblocks with that scope", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await signIn();
    const waiting = agentWaits(taskId, requestId);

    await page.locator(`[data-request-id="${requestId}"] a`).click();
    await page.getByLabel(/Every Bash call/).check();
    await page.getByTestId("approve").click();

    const answer = await waiting;
    expect(answer.body).toMatchObject({
      status: "APPROVED",
      decided_by: "alice",
      via: "api",
      scope: "tool:Bash",
    });
    await page.locator('[data-testid="request"][data-state="APPROVED"]').waitFor();
    expect(await page.getByTestId("outcome").textContent()).toContain("by alice via api");
    const next = await evaluate(taskId, { command: "git push --force origin main" });
    expect(next.body).toMatchObject({ decision: "ALLOW", source: "grant" });
  });

  it("approves a pattern the approver narrows, and only that pattern is granted", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await signIn("alice", `/#/tasks/${taskId}/requests/${requestId}`);

    await page.getByLabel(/Calls matching a pattern/).check();
    await page.getByLabel("Pattern scope").fill("command:git push --force origin main");
    await page.getByTestId("approve").click();

    await page.locator('[data-testid="request"][data-state="APPROVED"]').waitFor();
    const task = await h.client.as(OWNER).get<TaskView>(`/v1/tasks/${taskId}`);
    expect(task.body.grants.map((g) => g.scope)).toEqual(["command:git push --force origin main"]);
  });

  it("denies with a reason that the waiting agent receives", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await signIn("alice", `/#/tasks/${taskId}/requests/${requestId}`);
    const waiting = agentWaits(taskId, requestId);

    await page.getByLabel(/Reason/).fill("open a pull request instead");
    await page.getByTestId("deny").click();

    const answer = await waiting;
    expect(answer.body).toMatchObject({
      status: "DENIED",
      decided_by: "alice",
      deny_reason: "open a pull request instead",
    });
    await page.locator('[data-testid="request"][data-state="DENIED"]').waitFor();
    expect(await page.getByTestId("outcome").textContent()).toContain("open a pull request instead");
  });

  it("shows a decision made elsewhere while the request page is open", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await signIn("alice", `/#/tasks/${taskId}/requests/${requestId}`);
    await page.getByTestId("approve").waitFor();

    await h.client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/deny`, { request_id: requestId, reason: "from the CLI" });

    await page.locator('[data-testid="request"][data-state="DENIED"]').waitFor();
    expect(await page.getByTestId("approve").count()).toBe(0);
  });

  it("shows a quorum's progress on the inbox and the request, and the last vote approves", async () => {
    const settings = await h.client.as(ADMIN).put("/v1/repos/pair%2Fconsole/settings", {
      approvers: { users: ["bob"] },
      owner_approves: true,
      approvals_required: 2,
    });
    expect(settings.status).toBe(200);
    const taskId = await createTask(h.client, { repo: "pair/console" });
    const requestId = await requestApproval(h.client, taskId);
    const first = await h.client.as(APPROVER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    expect(first.body).toMatchObject({ status: "PENDING", approved_by: ["bob"] });

    await signIn();
    const row = page.locator(`[data-request-id="${requestId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("1 of 2 approvals (bob)");
    await row.locator("a").click();
    await page.getByTestId("approve").waitFor();
    expect(await page.getByTestId("request").textContent()).toContain("1 of 2 approvals (bob)");
    await page.getByTestId("approve").click();

    await page.locator('[data-testid="request"][data-state="APPROVED"]').waitFor();
    expect(await page.getByTestId("request").textContent()).toContain("2 of 2 approvals (bob, alice)");
  });

  it("revokes a grant from the task page, and the next call asks again", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await h.client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: requestId, scope: "tool:Bash" });
    await signIn("alice", `/#/tasks/${taskId}`);
    await page.getByTestId("grant").waitFor();

    await page.getByRole("button", { name: "Revoke tool:Bash" }).click();

    await page.getByTestId("grants").filter({ hasText: "No grants" }).waitFor();
    const next = await evaluate(taskId, { command: "git push --force origin main" });
    expect(next.body).toMatchObject({ decision: "REQUIRE_APPROVAL" });
  });

  it("cancels a task with the kill switch, and the agent is denied from then on", async () => {
    const taskId = await createTask(h.client);
    await signIn("alice", `/#/tasks/${taskId}`);
    await page.getByTestId("cancel-form").waitFor();

    await page.getByLabel(/Cancel this task for good/).check();
    await page.getByTestId("cancel").click();

    await page.getByTestId("task-summary").filter({ hasText: "CANCELLED" }).waitFor();
    const next = await evaluate(taskId, { command: "ls" });
    expect(next.body).toMatchObject({ decision: "DENY", source: "task_state" });
  });

  it("verifies the ledger's hash chain in the page, and flags an event altered in the table", async () => {
    const taskId = await createTask(h.client);
    await evaluate(taskId, { command: "git status" });
    await evaluate(taskId, { command: "ls" });
    await signIn("alice", `/#/tasks/${taskId}`);
    await page.locator('[data-testid="chain-verdict"][data-state="verified"]').waitFor();
    expect(await page.getByTestId("event").count()).toBe(3);

    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    await doc.send(
      new UpdateCommand({
        TableName: h.plane.config.tables.Events,
        Key: { task_id: taskId, seq: 2 },
        UpdateExpression: "SET #data.#decision = :d",
        ExpressionAttributeNames: { "#data": "data", "#decision": "decision" },
        ExpressionAttributeValues: { ":d": "DENY" },
      }),
    );
    await page.reload();
    await page.getByTestId("identity-alice").click();

    const verdict = page.locator('[data-testid="chain-verdict"][data-state="tampered"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain("event 2");
    expect(await page.locator('[data-testid="event"][data-state="unverified"]').count()).toBe(2);
  });

  it("flags a ledger whose last event was removed from the table, which the chain alone cannot show", async () => {
    const taskId = await createTask(h.client);
    await evaluate(taskId, { command: "git status" });
    await evaluate(taskId, { command: "ls" });
    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    await doc.send(
      new DeleteCommand({ TableName: h.plane.config.tables.Events, Key: { task_id: taskId, seq: 3 } }),
    );

    await signIn("alice", `/#/tasks/${taskId}`);

    const verdict = page.locator('[data-testid="chain-verdict"][data-state="tampered"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain("events are missing from the end");
    expect(await page.getByTestId("event").count()).toBe(2);
  });

  it("renders a hostile tool input as inert text: no markup, no script, no escape sequences", async () => {
    const taskId = await createTask(h.client);
    const hostile =
      'git push --force origin main # </pre><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' +
      "\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 <b onmouseover=alert(1)>bold</b>";
    const reply = await evaluate(taskId, { command: hostile });
    const requestId = String(reply.body.request_id);
    await signIn();

    const row = page.locator(`[data-request-id="${requestId}"]`);
    await row.waitFor();
    await row.locator("a").click();
    const input = page.getByTestId("tool-input");
    await input.waitFor();

    const shown = (await input.textContent()) ?? "";
    expect(shown).toContain('<img src=x onerror=\\"window.__pwned=1\\">');
    expect(shown).toContain("<script>window.__pwned=2</script>");
    expect(shown).toContain("RED");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not show
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const planted = await inPage(`({
      pwned: window.__pwned,
      images: document.querySelectorAll("main img").length,
      scripts: document.querySelectorAll("main script").length,
      bold: document.querySelectorAll("main b").length,
      inputChildren: document.querySelector('[data-testid="tool-input"]').children.length,
    })`);
    expect(planted).toEqual({ pwned: undefined, images: 0, scripts: 0, bold: 0, inputChildren: 0 });
    await page.getByTestId("inbox").count();
    expect(pageErrors).toEqual([]);
  });

  it("refuses to put markup into the page at all: the CSP's Trusted Types block innerHTML", async () => {
    await signIn();

    const outcome = await inPage(`(() => {
      try {
        document.body.appendChild(document.createElement("div")).innerHTML = "<b>x</b>";
        return "assigned";
      } catch (error) {
        return error instanceof TypeError ? "refused" : String(error);
      }
    })()`);

    expect(outcome).toBe("refused");
  });

  it("asks for a fresh sign-in before a critical approval, then approves once signed in again", async () => {
    const taskId = await createTask(h.client);
    const reply = await evaluate(taskId, { command: "npm publish" });
    expect(reply.body).toMatchObject({ decision: "REQUIRE_APPROVAL", severity: "critical" });
    const requestId = String(reply.body.request_id);
    // The page's clock, and so the time of its local sign-in, runs 11 minutes behind the server's.
    await page.clock.install({ time: new Date(Date.now() - 11 * 60_000) });
    await signIn("alice", `/#/tasks/${taskId}/requests/${requestId}`);
    const waiting = agentWaits(taskId, requestId);

    await page.getByTestId("approve").click();
    const again = page.getByTestId("sign-in-again");
    await again.waitFor();
    expect(await page.getByTestId("error").textContent()).toContain("REAUTHENTICATION_REQUIRED");
    await page.clock.setSystemTime(new Date());
    await again.click();
    await page.getByTestId("identity-alice").click();
    await page.getByTestId("approve").click();

    const answer = await waiting;
    expect(answer.body).toMatchObject({ status: "APPROVED", decided_by: "alice" });
  });

  it("shows the rules in force, dry-runs a call, and shows a rejected publish's diagnostics inline", async () => {
    await signIn("admin", "/#/policies/acme%2Fapp");
    await page.getByTestId("policy-view").waitFor();
    expect(await page.getByTestId("rule").count()).toBeGreaterThan(5);

    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.getByTestId("dry-run-result").filter({ hasText: "REQUIRE_APPROVAL" }).waitFor();

    await page.getByLabel("Cedar policies").fill('@tier("soft")\nforbid (principal, action, resource);');
    await page.getByRole("button", { name: "Publish" }).click();
    const diagnostics = page.getByTestId("diagnostics");
    await diagnostics.waitFor();
    expect(await page.getByTestId("publish-result").textContent()).toContain("POLICY_INVALID");
    expect(await diagnostics.textContent()).toMatch(/rule_id/);
  });

  it("offers publishing to admins only", async () => {
    await signIn("alice", "/#/policies/acme%2Fapp");
    await page.getByTestId("policy-view").waitFor();

    expect(await page.getByTestId("publish").count()).toBe(0);
  });

  it("is usable from the keyboard alone: sign in, open a request and approve it", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await page.goto(`${h.plane.url}/`);
    await page.getByTestId("identity-alice").focus();
    await page.keyboard.press("Enter");
    const link = page.locator(`[data-request-id="${requestId}"] a`);
    await link.waitFor();

    await link.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("approve").focus();
    await page.keyboard.press("Enter");

    await page.locator('[data-testid="request"][data-state="APPROVED"]').waitFor();
  });

  it("fits a phone's screen without sideways scrolling", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(
      h.client,
      taskId,
      `git push --force origin main ${"x".repeat(300)}`,
    );
    await page.setViewportSize({ width: 375, height: 740 });
    await signIn("alice", `/#/tasks/${taskId}/requests/${requestId}`);
    await page.getByTestId("approve").waitFor();

    const widths = await inPage<{ page: number; view: number }>(
      "({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth })",
    );

    expect(widths.page).toBeLessThanOrEqual(widths.view);
  });

  it("serves the site with a strict Content-Security-Policy and the security headers", async () => {
    const response = await fetch(`${h.plane.url}/`);

    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
