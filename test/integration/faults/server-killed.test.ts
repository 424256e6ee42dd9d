import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApprovalView, EvaluationResponse, TaskView } from "../../../contracts/api";
import { type LedgerEvent, verifyChain } from "../../../lambdas/core/ledger";
import { findFreePort } from "../../../local/dynamodb-local";
import { spawnLocalServer } from "../../../local/server-process";
import { AGENT, gatesClient, OWNER, waitFor } from "../../support/gates-client";

/** `npm start` as a user runs it, on its own port and data directory. */
const startServer = (port: number, dataDir: string) => spawnLocalServer(port, ["--data-dir", dataDir]);

async function healthy(url: string): Promise<true | undefined> {
  try {
    return (await fetch(`${url}/v1/health`)).ok ? true : undefined;
  } catch {
    return undefined;
  }
}

describe("the server killed with requests in flight", () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  afterAll(async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => server?.once("exit", r) ?? r(undefined));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("leaves no task stuck: statuses agree with approvals, chains verify, pending requests still decide", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gates-killed-"));
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const client = gatesClient(url);
    server = startServer(port, dataDir);
    await waitFor(() => healthy(url), 60_000, "the server to start");

    const tasks = ["k1", "k2", "k3"];
    for (const task_id of tasks)
      await client.as(AGENT).post("/v1/tasks", { task_id, owner: "alice", repo: "acme/app" });
    const inFlight = tasks.flatMap((task) =>
      Array.from({ length: 10 }, (_, i) =>
        client
          .as(AGENT)
          .post<EvaluationResponse>(`/v1/tasks/${task}/tool-calls`, {
            tool_name: "Bash",
            tool_input: { command: i % 2 ? `ls ${i}` : `git push --force origin feature-${i}` },
          })
          .catch(() => undefined),
      ),
    );
    await new Promise((r) => setTimeout(r, 150));
    server.kill("SIGKILL");
    await Promise.all(inFlight);

    server = startServer(port, dataDir);
    await waitFor(() => healthy(url), 60_000, "the server to restart");

    for (const task of tasks) {
      const view = await client.as(OWNER).get<TaskView>(`/v1/tasks/${task}`);
      expect(view.status).toBe(200);
      const events = await client
        .as(OWNER)
        .get<{ items: LedgerEvent[] }>(`/v1/tasks/${task}/events?limit=100`);
      expect(verifyChain(events.body.items)).toEqual({ ok: true });
      expect(view.body.last_event_seq).toBe(events.body.items.length);
      const requested = events.body.items
        .filter((e) => e.type === "approval.requested")
        .map((e) => String(e.data.request_id));
      expect(view.body.status).toBe(
        view.body.pending_request_ids.length > 0 ? "AWAITING_APPROVAL" : "RUNNING",
      );
      for (const requestId of requested) {
        const approval = await client.as(OWNER).get<ApprovalView>(`/v1/tasks/${task}/approvals/${requestId}`);
        expect(approval.body.status === "PENDING").toBe(view.body.pending_request_ids.includes(requestId));
        if (approval.body.status === "PENDING") {
          const decided = await client.as(OWNER).post(`/v1/tasks/${task}/deny`, { request_id: requestId });
          expect(decided.status).toBe(200);
        }
      }
      const after = await client.as(OWNER).get<TaskView>(`/v1/tasks/${task}`);
      expect(after.body).toMatchObject({ status: "RUNNING", pending_request_ids: [] });
    }
  }, 180_000);
});
