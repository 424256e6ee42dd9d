import { readConfig } from "../adapters/config";
import { slackWebhookOperations } from "../adapters/http/slack-operations";
import { readSlackInboundConfig, slackInboundDeps } from "../adapters/slack/inbound/slack-inbound-config";
import { apiHandler } from "./api-handler";
import {
  controlPlaneDeps,
  dynamoDocument,
  freshSignInOf,
  lockCatalogOf,
  namedSecrets,
  pageTokenKeyOf,
} from "./control-plane-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
// Named secrets (Slack's, and the key of the pending list's page tokens) come from Secrets
// Manager, read with the SDK and kept for a few minutes.
const secrets = namedSecrets(config.region);
// Approving from Slack checks the locks and a critical approval's sign-in, as from REST.
const deps = {
  ...controlPlaneDeps(doc, config.tables, pageTokenKeyOf(config, secrets)),
  ...lockCatalogOf(doc, config),
  ...freshSignInOf(config),
};
const slack = slackInboundDeps(doc, config.tables, readSlackInboundConfig(process.env), secrets);

/** Lambda entry point for the `slack` routes of the manifest: signed webhooks from Slack. */
export const handler = apiHandler("slack", config.version, slackWebhookOperations(deps, slack));
