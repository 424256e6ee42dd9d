import { randomBytes } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SecretSource, SlackInboundDeps } from "../../../core/slack/ports";
import { DynamoSlackLinkStore } from "../../dynamo/slack-link-store";
import type { TableNames } from "../../dynamo/tables";
import { createSlackClient } from "../slack-client";
import { readSlackEnv, type SlackEnv } from "../slack-env";
import { lazyModalOpener, noModals, webApiModalOpener } from "./deny-modal";
import { envSecretSource, noSecret } from "./env-secret-source";
import { responseUrlPoster } from "./response-url-poster";

/** Slack settings of the inbound doors: the signing secret, and the bot token that opens the deny dialog. */
export type SlackInboundConfig = Omit<SlackEnv, "channel">;

/** Reads the Slack settings; all are optional, and without a secret the Slack routes fail closed. */
export function readSlackInboundConfig(
  env: Readonly<Record<string, string | undefined>>,
): SlackInboundConfig {
  const { channel: _postsOnly, ...inbound } = readSlackEnv(env);
  return inbound;
}

/**
 * The adapters behind the Slack doors. A secret named for Secrets Manager wins over one in the
 * environment, so a deployed API never trusts a secret copied into its environment.
 *
 * @param namedSecret - reads a secret by name from the secret store, cached per container;
 *   @default a source with no secret, so a deployed API refuses Slack (503) until one is wired
 */
export function slackInboundDeps(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  config: SlackInboundConfig,
  namedSecret: (name: string) => SecretSource = () => noSecret,
): SlackInboundDeps {
  const signingSecret = config.signingSecretName
    ? namedSecret(config.signingSecretName)
    : config.signingSecret
      ? envSecretSource({ SLACK_SIGNING_SECRET: config.signingSecret }, "SLACK_SIGNING_SECRET")
      : noSecret;
  const makeClient = (token: string) =>
    createSlackClient({ token, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) });
  const modals = config.botTokenSecretName
    ? lazyModalOpener(namedSecret(config.botTokenSecretName), makeClient)
    : config.botToken
      ? webApiModalOpener(makeClient(config.botToken))
      : noModals;
  return {
    links: new DynamoSlackLinkStore(doc, tables),
    signingSecret,
    responses: responseUrlPoster(config.apiUrl ? { allowedOrigin: new URL(config.apiUrl).origin } : {}),
    modals,
    randomBytes: (size) => randomBytes(size),
  };
}
