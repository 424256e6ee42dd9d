import { randomBytes } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WebClient } from "@slack/web-api";
import type { SecretSource, SlackInboundDeps } from "../../../core/slack/ports";
import { DynamoSlackLinkStore } from "../../dynamo/slack-link-store";
import type { TableNames } from "../../dynamo/tables";
import { lazyModalOpener, noModals, webApiModalOpener } from "./deny-modal";
import { envSecretSource, noSecret } from "./env-secret-source";
import { responseUrlPoster } from "./response-url-poster";

/** Slack settings of the inbound doors, read once from the environment. */
export interface SlackInboundConfig {
  /** The signing secret itself: local mode only. */
  readonly signingSecret?: string;
  /** The name of the secret holding it in AWS Secrets Manager. */
  readonly signingSecretName?: string;
  /** The bot token, for opening the deny modal: local mode only. */
  readonly botToken?: string;
  /** The name of the secret holding the bot token in AWS Secrets Manager. */
  readonly botTokenSecretName?: string;
  /** Another Slack-compatible API, e.g. a local fake. */
  readonly apiUrl?: string;
}

/** Reads the Slack settings; all are optional, and without a secret the Slack routes fail closed. */
export function readSlackInboundConfig(
  env: Readonly<Record<string, string | undefined>>,
): SlackInboundConfig {
  const pick = (name: string) => (env[name]?.trim() ? { [name]: env[name]?.trim() } : {});
  const apiUrl = env.SLACK_API_URL?.trim();
  if (apiUrl && !/^https?:\/\/\S+$/.test(apiUrl))
    throw new Error(`SLACK_API_URL "${apiUrl}" is not an http(s) URL.`);
  const values = {
    ...pick("SLACK_SIGNING_SECRET"),
    ...pick("SLACK_SIGNING_SECRET_NAME"),
    ...pick("SLACK_BOT_TOKEN"),
    ...pick("SLACK_BOT_TOKEN_SECRET_NAME"),
  };
  return {
    ...(values.SLACK_SIGNING_SECRET ? { signingSecret: values.SLACK_SIGNING_SECRET } : {}),
    ...(values.SLACK_SIGNING_SECRET_NAME ? { signingSecretName: values.SLACK_SIGNING_SECRET_NAME } : {}),
    ...(values.SLACK_BOT_TOKEN ? { botToken: values.SLACK_BOT_TOKEN } : {}),
    ...(values.SLACK_BOT_TOKEN_SECRET_NAME ? { botTokenSecretName: values.SLACK_BOT_TOKEN_SECRET_NAME } : {}),
    ...(apiUrl ? { apiUrl } : {}),
  };
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
    new WebClient(token, config.apiUrl ? { slackApiUrl: ensureSlash(config.apiUrl) } : {});
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

function ensureSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
