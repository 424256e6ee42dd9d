/**
 * Takes the screenshots in docs/console.md: a local control plane in memory, the README's force
 * push and two more requests, and Debian's Chromium on the inbox and on a request.
 * Run with `npm run screenshots`; needs Java (DynamoDB Local) and chromium.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startLocalControlPlane } from "../local/local-control-plane";
import { launchChromium } from "../test/support/browser";
import { AGENT, gatesClient } from "../test/support/gates-client";

const OUT = join(__dirname, "..", "docs", "images");

async function main(): Promise<void> {
  const plane = await startLocalControlPlane({ inMemory: true, port: 0, metricsLog: false });
  const browser = await launchChromium({ viewport: { width: 1100, height: 760 } });
  try {
    const agent = gatesClient(plane.url).as(AGENT);
    await agent.post("/v1/tasks", { task_id: "demo", owner: "alice", repo: "acme/app" });
    await agent.post("/v1/tasks", { task_id: "release", owner: "alice", repo: "acme/api" });
    const asks = [
      ["demo", "Bash", { command: "git push --force origin main" }],
      ["release", "Bash", { command: "npm publish --access public" }],
      ["demo", "Bash", { command: "terraform apply -auto-approve" }],
    ] as const;
    const ids: string[] = [];
    for (const [task, tool_name, tool_input] of asks) {
      const reply = await agent.post(`/v1/tasks/${task}/tool-calls`, { tool_name, tool_input });
      if (reply.body.decision !== "REQUIRE_APPROVAL")
        throw new Error(
          `expected a request for ${JSON.stringify(tool_input)}: ${JSON.stringify(reply.body)}`,
        );
      ids.push(String(reply.body.request_id));
    }
    mkdirSync(OUT, { recursive: true });
    const page = await browser.context.newPage();
    await page.goto(`${plane.url}/`);
    await page.getByTestId("identity-alice").click();
    await page
      .getByTestId("inbox-item")
      .nth(asks.length - 1)
      .waitFor();
    await page.screenshot({ path: join(OUT, "console-inbox.png") });
    await page.goto(`${plane.url}/#/tasks/demo/requests/${ids[0]}`);
    await page.getByTestId("approve").waitFor();
    await page.screenshot({ path: join(OUT, "console-request.png"), fullPage: true });
    console.log(`wrote ${join(OUT, "console-inbox.png")} and console-request.png`);
  } finally {
    await browser.close();
    await plane.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
