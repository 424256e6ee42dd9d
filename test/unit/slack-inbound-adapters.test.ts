import { createDynamoClients } from "../../lambdas/adapters/dynamo/clients";
import { tableNames } from "../../lambdas/adapters/dynamo/tables";
import { denyModalView } from "../../lambdas/adapters/slack/inbound/deny-modal";
import { responseUrlPoster } from "../../lambdas/adapters/slack/inbound/response-url-poster";
import {
  readSlackInboundConfig,
  slackInboundDeps,
} from "../../lambdas/adapters/slack/inbound/slack-inbound-config";

function recordingFetch(status = 200) {
  const calls: { url: string; body: unknown }[] = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return new Response("ok", { status });
  }) as typeof fetch;
  return { calls, fake };
}

describe("responseUrlPoster", () => {
  it("posts an ephemeral reply to a Slack response URL", async () => {
    // Prepare
    const { calls, fake } = recordingFetch();

    // Act
    await responseUrlPoster({ fetch: fake }).post("https://hooks.slack.com/actions/T/1/x", { text: "hi" });

    // Assess
    expect(calls).toEqual([
      {
        url: "https://hooks.slack.com/actions/T/1/x",
        body: { response_type: "ephemeral", replace_original: false, text: "hi" },
      },
    ]);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data",
    "https://hooks.slack.com.evil.example/x",
    "https://example.com/",
  ])("never calls a URL that is not Slack's: %s", async (url) => {
    // Prepare
    const { calls, fake } = recordingFetch();
    const errors: unknown[] = [];

    // Act
    await responseUrlPoster({ fetch: fake, onError: (e) => errors.push(e) }).post(url, { text: "hi" });

    // Assess
    expect(calls).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it("allows a configured fake Slack's origin", async () => {
    // Prepare
    const { calls, fake } = recordingFetch();

    // Act
    await responseUrlPoster({ fetch: fake, allowedOrigin: "http://127.0.0.1:9000" }).post(
      "http://127.0.0.1:9000/respond/1",
      { text: "hi" },
    );

    // Assess
    expect(calls).toHaveLength(1);
  });

  it("swallows a failing post, so Slack still gets its 200", async () => {
    // Prepare
    const failing = (async () => {
      throw new Error("network down");
    }) as typeof fetch;
    const errors: unknown[] = [];

    // Act
    const posting = responseUrlPoster({ fetch: failing, onError: (e) => errors.push(e) }).post(
      "https://hooks.slack.com/x",
      { text: "hi" },
    );

    // Assess
    await expect(posting).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});

describe("readSlackInboundConfig", () => {
  it("reads the local secret, the secret name, the bot token and the API URL", () => {
    expect(
      readSlackInboundConfig({
        SLACK_SIGNING_SECRET: " s ",
        SLACK_SIGNING_SECRET_NAME: "gates/signing",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_API_URL: "http://127.0.0.1:9000/api/",
      }),
    ).toEqual({
      signingSecret: "s",
      signingSecretName: "gates/signing",
      botToken: "xoxb-1",
      apiUrl: "http://127.0.0.1:9000/api/",
    });
  });

  it("is empty without Slack settings, and refuses a malformed API URL", () => {
    expect(readSlackInboundConfig({ SLACK_SIGNING_SECRET: "  " })).toEqual({});
    expect(() => readSlackInboundConfig({ SLACK_API_URL: "ftp://x" })).toThrow(/SLACK_API_URL/);
  });
});

describe("denyModalView", () => {
  it("carries the request and an optional reason field the submission is read from", () => {
    // Act
    const view = denyModalView("t1|R1");

    // Assess
    expect(view).toMatchObject({
      type: "modal",
      callback_id: "gates_deny",
      private_metadata: "t1|R1",
      blocks: [{ block_id: "reason", optional: true, element: { action_id: "reason_input" } }],
    });
  });
});

describe("slackInboundDeps", () => {
  // Building clients does no I/O, so an unreachable endpoint is fine here.
  const { doc } = createDynamoClients({ region: "local", endpoint: "http://127.0.0.1:1" });
  const tables = tableNames("unit");

  it("uses the local secret from the environment", async () => {
    await expect(slackInboundDeps(doc, tables, { signingSecret: "s" }).signingSecret.get()).resolves.toBe(
      "s",
    );
  });

  it("fails closed when the secret is named for Secrets Manager, even with a copy in the environment", async () => {
    const deps = slackInboundDeps(doc, tables, { signingSecretName: "gates/signing", signingSecret: "s" });
    await expect(deps.signingSecret.get()).resolves.toBeUndefined();
  });

  it("reads a named secret from the secret store it is given", async () => {
    const store = (name: string) => ({ get: async () => `value of ${name}` });
    const deps = slackInboundDeps(doc, tables, { signingSecretName: "gates/signing" }, store);
    await expect(deps.signingSecret.get()).resolves.toBe("value of gates/signing");
  });

  it("has no secret without configuration", async () => {
    await expect(slackInboundDeps(doc, tables, {}).signingSecret.get()).resolves.toBeUndefined();
  });
});
