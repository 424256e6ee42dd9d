import { type GatesConfig, readConfig } from "../config";
import { readSlackFanoutConfig, type SlackFanoutConfig } from "../slack/outbound/slack-fanout-config";
import { readWebhookConfig, type WebhookEndpointConfig } from "../webhooks/webhook-config";

/** Everything the channel fan-out process is configured with, read once at start-up. */
export interface ChannelFanoutConfig {
  readonly gates: GatesConfig;
  /** Present when `SLACK_CHANNEL` is set. */
  readonly slack?: SlackFanoutConfig;
  /** `GATES_WEBHOOKS`; empty when unset. */
  readonly webhooks: readonly WebhookEndpointConfig[];
}

/**
 * Reads and checks the fan-out's whole configuration: the tables, Slack when its channel is set,
 * and the webhook endpoints.
 *
 * @throws naming the variable and what to fix, so a bad deployment fails at start-up, not per record
 */
export function readChannelFanoutConfig(
  env: Readonly<Record<string, string | undefined>>,
): ChannelFanoutConfig {
  const slack = env.SLACK_CHANNEL?.trim() ? readSlackFanoutConfig(env) : undefined;
  return { gates: readConfig(env), ...(slack ? { slack } : {}), webhooks: readWebhookConfig(env) };
}
