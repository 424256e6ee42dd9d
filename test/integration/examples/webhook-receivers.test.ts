import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { sampleDelivery } from "../../../cli/commands/webhook-sample";
import { type GatesDelivery, startReceiver } from "../../../examples/webhook-receivers/receiver";
import { postSigned } from "../../../lambdas/adapters/webhooks/signed-post";
import { signWebhook } from "../../../lambdas/core/webhooks/signature";

const SECRET = "whsec-example-0123456789";

/** What each receiver must do with what Approval Gates sends, and with what it must refuse. */
async function checkReceiver(url: string, received: () => readonly unknown[]): Promise<void> {
  const sample = sampleDelivery("json", new Date());

  // A delivery signed as the fan-out signs it is taken once, however often it arrives.
  expect(await postSigned({ url, secret: SECRET }, sample.body, sample.headers)).toBe(200);
  expect(await postSigned({ url, secret: SECRET }, sample.body, sample.headers)).toBe(200);
  expect(received()).toHaveLength(1);

  // A forged signature, a changed body and a replay outside the window are refused.
  expect(await postSigned({ url, secret: "not-the-secret-000000" }, sample.body, sample.headers)).toBe(401);
  const stale = String(Math.floor(Date.now() / 1000) - 600);
  const replay = await fetch(url, {
    method: "POST",
    body: sample.body,
    headers: {
      ...sample.headers,
      "x-gates-timestamp": stale,
      "x-gates-signature": signWebhook(SECRET, stale, sample.body),
    },
  });
  expect(replay.status).toBe(401);
  const now = String(Math.floor(Date.now() / 1000));
  const tampered = await fetch(url, {
    method: "POST",
    body: sample.body.replace("PENDING", "APPROVED"),
    headers: {
      ...sample.headers,
      "x-gates-timestamp": now,
      "x-gates-signature": signWebhook(SECRET, now, sample.body),
    },
  });
  expect(tampered.status).toBe(401);
  expect(received()).toHaveLength(1);
}

describe("the webhook receiver examples", () => {
  it("the TypeScript receiver verifies, drops repeats and refuses forgeries and replays", async () => {
    const got: GatesDelivery[] = [];
    const server = startReceiver(SECRET, 0, (d) => {
      got.push(d);
    });
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      await checkReceiver(`http://127.0.0.1:${port}/`, () => got);
      expect(got[0]).toMatchObject({ type: "approval.requested", approval: { status: "PENDING" } });
    } finally {
      server.close();
    }
  });

  it("the Python receiver does the same", async () => {
    const child: ChildProcess = spawn(
      "python3",
      [join(__dirname, "../../../examples/webhook-receivers/receiver.py"), "0"],
      {
        env: { ...process.env, GATES_WEBHOOK_SECRET: SECRET },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const lines: string[] = [];
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const parts = buffered.split("\n");
        buffered = parts.pop() ?? "";
        lines.push(...parts);
      });
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("the Python receiver did not start within 10 s")),
          10_000,
        );
        child.stdout?.on("data", () => {
          const found = lines.map((l) => /^listening on 127\.0\.0\.1:(\d+)$/.exec(l)?.[1]).find(Boolean);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      await checkReceiver(`http://127.0.0.1:${port}/`, () => lines.filter((l) => l.startsWith("approval.")));
    } finally {
      child.kill();
    }
  });
});
