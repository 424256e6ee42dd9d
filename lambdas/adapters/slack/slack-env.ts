/**
 * Every Slack variable a process reads, read and checked in one place. The doors and the
 * fan-out each take the part they need from it (`readSlackInboundConfig`, `readSlackFanoutConfig`).
 */
export interface SlackEnv {
  /** `SLACK_SIGNING_SECRET`: the signing secret itself, local mode only. */
  readonly signingSecret?: string;
  /** `SLACK_SIGNING_SECRET_NAME`: the name of its secret in AWS Secrets Manager. */
  readonly signingSecretName?: string;
  /** `SLACK_BOT_TOKEN`: the bot token itself, local mode only. */
  readonly botToken?: string;
  /** `SLACK_BOT_TOKEN_SECRET_NAME`: the name of its secret in AWS Secrets Manager. */
  readonly botTokenSecretName?: string;
  /** `SLACK_CHANNEL`: the channel id (`C…`) requests are posted to. */
  readonly channel?: string;
  /** `SLACK_API_URL`: another Slack-compatible Web API, e.g. a local fake. */
  readonly apiUrl?: string;
}

const VARIABLES = {
  signingSecret: "SLACK_SIGNING_SECRET",
  signingSecretName: "SLACK_SIGNING_SECRET_NAME",
  botToken: "SLACK_BOT_TOKEN",
  botTokenSecretName: "SLACK_BOT_TOKEN_SECRET_NAME",
  channel: "SLACK_CHANNEL",
  apiUrl: "SLACK_API_URL",
} as const satisfies Record<keyof SlackEnv, string>;

/**
 * Reads the Slack variables; each is optional here, and blank counts as unset.
 *
 * @throws naming the variable, when `SLACK_API_URL` is not an http(s) URL
 */
export function readSlackEnv(env: Readonly<Record<string, string | undefined>>): SlackEnv {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(VARIABLES)) {
    const value = env[name]?.trim();
    if (value) out[key] = value;
  }
  if (out.apiUrl !== undefined && !/^https?:\/\/\S+$/.test(out.apiUrl))
    throw new Error(`SLACK_API_URL "${out.apiUrl}" is not an http(s) URL.`);
  return out;
}
