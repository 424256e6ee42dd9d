import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from "../../support/fake-webhook-receiver";
import { gates, jsonOf } from "./run-cli";

let receiver: FakeWebhookReceiver;
let dir: string;
beforeEach(async () => {
  receiver = await startFakeWebhookReceiver();
  dir = mkdtempSync(join(tmpdir(), "gates-webhooks-cli-"));
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `gates` with the endpoint's secret in the environment, as the docs show. */
const withSecret = (argv: readonly string[], secret = receiver.secret) =>
  gates("http://127.0.0.1:9", undefined, argv, {
    env: { GATES_CONFIG_DIR: "/nonexistent/gates-test", GATES_WEBHOOK_SECRET: secret },
  });

describe("gates webhooks test", () => {
  it("sends one signed sample the receiver verifies, with the event and the approval view", async () => {
    const run = await withSecret(["webhooks", "test", receiver.url]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Sent a signed approval.requested");
    expect(run.stdout).toContain("HTTP 200");
    const [delivery, ...others] = receiver.received;
    expect(others).toEqual([]);
    expect(delivery?.verified).toBe(true);
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({
      type: "approval.requested",
      event: { task_id: "gates-webhook-test", type: "approval.requested" },
      approval: { task_id: "gates-webhook-test", status: "PENDING" },
    });
  });

  it("reads the secret from a file and sends an Adaptive Card when asked", async () => {
    const file = join(dir, "secret");
    writeFileSync(file, `${receiver.secret}\n`);

    const run = jsonOf(
      await gates("http://127.0.0.1:9", undefined, [
        "--json",
        "webhooks",
        "test",
        receiver.url,
        "--format",
        "adaptive-card",
        "--secret-file",
        file,
      ]),
    );

    expect(run).toMatchObject({ status: 200, ok: true, event: "approval.requested" });
    expect(receiver.received[0]?.verified).toBe(true);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ type: "message" });
  });

  it("exits 1 naming the status when the receiver refuses, e.g. because the secrets differ", async () => {
    receiver.script({ status: 401 }, 1);

    const run = await withSecret(["webhooks", "test", receiver.url], "a-different-secret-0000");

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("HTTP 401");
    expect(receiver.received[0]?.verified).toBe(false);
  });

  it("refuses to run without a secret, with exit 2 and what to set", async () => {
    const run = await gates("http://127.0.0.1:9", undefined, ["webhooks", "test", receiver.url]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("GATES_WEBHOOK_SECRET");
    expect(receiver.received).toEqual([]);
  });
});
