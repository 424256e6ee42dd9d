import type { ApprovalView } from "../../../contracts/api";
import { createTask, type Harness, startHarness } from "../../support/control-plane-harness";
import { AGENT } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** Bob's local token, as of a sign-in `ageS` seconds before the control plane's clock. */
const bobSignedIn = (ageS: number) =>
  `local:human:bob auth_time=${Math.floor(h.clock.now().getTime() / 1000) - ageS}`;

async function criticalRequest(taskId: string): Promise<string> {
  const reply = await h.client
    .as(AGENT)
    .post(`/v1/tasks/${taskId}/tool-calls`, { tool_name: "Bash", tool_input: { command: "npm publish" } });
  expect(reply.body).toMatchObject({ decision: "REQUIRE_APPROVAL", severity: "critical" });
  return String(reply.body.request_id);
}

describe("approving a critical request over REST", () => {
  it("is refused with 403 REAUTHENTICATION_REQUIRED for a sign-in older than 10 minutes, and the request stays pending", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const requestId = await criticalRequest(taskId);

    // Act
    const reply = await h.client
      .as(bobSignedIn(11 * 60))
      .post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    // Assess
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({
      error: { code: "REAUTHENTICATION_REQUIRED", details: { max_age_s: 600 } },
    });
    const view = await h.client.as(AGENT).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(view.body.status).toBe("PENDING");
  });

  it("succeeds for a sign-in within the limit", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const requestId = await criticalRequest(taskId);

    // Act
    const reply = await h.client
      .as(bobSignedIn(9 * 60))
      .post<ApprovalView>(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "APPROVED", decided_by: "bob" });
  });

  it("still lets an old sign-in deny a critical request, and approve a high one", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const critical = await criticalRequest(taskId);
    const high = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    const stale = bobSignedIn(24 * 3600);

    // Act
    const denied = await h.client.as(stale).post(`/v1/tasks/${taskId}/deny`, { request_id: critical });
    const approved = await h.client
      .as(stale)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: String(high.body.request_id) });

    // Assess
    expect([denied.status, approved.status]).toEqual([200, 200]);
  });
});
