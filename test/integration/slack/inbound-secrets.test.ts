import {
  readSlackInboundConfig,
  slackInboundDeps,
} from "../../../lambdas/adapters/slack/inbound/slack-inbound-config";
import { startFakeSlack } from "../../support/fake-slack";
import { freshTables } from "../setup/dynamo";

describe("Slack secrets named for Secrets Manager", () => {
  it("open the deny modal with the bot token read from the named secret, once", async () => {
    const slack = await startFakeSlack();
    try {
      const { doc, names } = await freshTables();
      const reads: string[] = [];
      const config = readSlackInboundConfig({
        SLACK_SIGNING_SECRET_NAME: "gates/slack/signing",
        SLACK_BOT_TOKEN_SECRET_NAME: "gates/slack/bot",
        SLACK_API_URL: slack.apiUrl,
      });
      const deps = slackInboundDeps(doc, names, config, (name) => ({
        get: async () => {
          reads.push(name);
          return name === "gates/slack/bot" ? "xoxb-from-secrets" : "signing-from-secrets";
        },
      }));

      await deps.modals.openDenyModal("trigger-1", "task|request");
      await deps.modals.openDenyModal("trigger-2", "task|request");

      expect(await deps.signingSecret.get()).toBe("signing-from-secrets");
      expect(slack.callsTo("views.open").map((c) => [c.args.trigger_id, c.token])).toEqual([
        ["trigger-1", "xoxb-from-secrets"],
        ["trigger-2", "xoxb-from-secrets"],
      ]);
      expect(reads.filter((r) => r === "gates/slack/bot")).toHaveLength(1);
    } finally {
      await slack.close();
    }
  });
});
