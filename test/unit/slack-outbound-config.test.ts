import { readSlackFanoutConfig } from "../../lambdas/adapters/slack/outbound/slack-fanout-config";
import { localSlackFromEnv } from "../../local/local-control-plane";

describe("readSlackFanoutConfig", () => {
  it("takes the token from SLACK_BOT_TOKEN locally", () => {
    expect(
      readSlackFanoutConfig({
        SLACK_CHANNEL: "C1",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_API_URL: "http://127.0.0.1:9/api/",
      }),
    ).toEqual({
      channel: "C1",
      botToken: { kind: "value", token: "xoxb-1" },
      apiUrl: "http://127.0.0.1:9/api/",
    });
  });

  it("takes the secret name in AWS", () => {
    expect(
      readSlackFanoutConfig({ SLACK_CHANNEL: "C1", SLACK_BOT_TOKEN_SECRET_NAME: "gates/slack-bot" }).botToken,
    ).toEqual({
      kind: "secrets-manager",
      secretName: "gates/slack-bot",
    });
  });

  it.each([
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, /SLACK_CHANNEL/],
    [{ SLACK_CHANNEL: "C1" }, /SLACK_BOT_TOKEN/],
    [{ SLACK_CHANNEL: "C1", SLACK_BOT_TOKEN: "x", SLACK_API_URL: "ftp://x" }, /SLACK_API_URL/],
  ])("refuses %p, naming the variable", (env, message) => {
    expect(() => readSlackFanoutConfig(env)).toThrow(message);
  });
});

describe("localSlackFromEnv", () => {
  it("turns Slack on only with both a token and a channel", () => {
    expect(localSlackFromEnv({ SLACK_BOT_TOKEN: "xoxb-1" })).toBeUndefined();
    expect(localSlackFromEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_CHANNEL: "C1" })).toEqual({
      botToken: "xoxb-1",
      channel: "C1",
    });
  });

  it("refuses at start-up a Slack API URL the doors and the fan-out would refuse too", () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_CHANNEL: "C1", SLACK_API_URL: "slack.test" };
    expect(() => localSlackFromEnv(env)).toThrow('SLACK_API_URL "slack.test" is not an http(s) URL.');
    expect(() => readSlackFanoutConfig(env)).toThrow('SLACK_API_URL "slack.test" is not an http(s) URL.');
  });
});
