import { readSlackEnv } from "../slack-env";

/** Where the fan-out's bot token comes from. */
export type BotTokenConfig =
  | { readonly kind: "value"; readonly token: string }
  | { readonly kind: "secrets-manager"; readonly secretName: string };

/** The fan-out's settings, read once in the composition root. */
export interface SlackFanoutConfig {
  readonly botToken: BotTokenConfig;
  /** The channel id (`C…`) requests are posted to. */
  readonly channel: string;
  /** A Slack-compatible Web API base URL. @default Slack's own */
  readonly apiUrl?: string;
}

/**
 * Reads the fan-out's settings: `SLACK_CHANNEL`, the bot token as `SLACK_BOT_TOKEN` (local mode) or the
 * name of its secret as `SLACK_BOT_TOKEN_SECRET_NAME` (AWS), and optionally `SLACK_API_URL`.
 *
 * @throws naming the variable, when one is missing or malformed
 */
export function readSlackFanoutConfig(env: Readonly<Record<string, string | undefined>>): SlackFanoutConfig {
  const { channel, botToken: token, botTokenSecretName: secretName, apiUrl } = readSlackEnv(env);
  if (!channel) throw new Error("SLACK_CHANNEL is not set; set it to the id (C…) of the approvals channel.");
  let botToken: BotTokenConfig;
  if (token) botToken = { kind: "value", token };
  else if (secretName) botToken = { kind: "secrets-manager", secretName };
  else throw new Error("Set SLACK_BOT_TOKEN, or SLACK_BOT_TOKEN_SECRET_NAME to the secret that holds it.");
  return { botToken, channel, ...(apiUrl ? { apiUrl } : {}) };
}
