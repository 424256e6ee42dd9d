import { readConfig } from "../adapters/config";
import { DynamoSlackLinkStore } from "../adapters/dynamo/slack-link-store";
import { humanOperations } from "../adapters/http/control-plane-operations";
import { governanceOperations } from "../adapters/http/governance-operations";
import { slackLinkOperations } from "../adapters/http/slack-operations";
import { apiHandler } from "./api-handler";
import {
  controlPlaneDeps,
  dynamoDocument,
  freshSignInOf,
  lockCatalogOf,
  namedSecrets,
  pageTokenKeyOf,
  repoSettingsOf,
} from "./control-plane-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
// The pending list's page tokens are signed with the deployment's key, read from Secrets Manager.
// Decisions check the locks and how fresh a critical approver's sign-in is; admins manage settings and locks here.
const deps = {
  ...controlPlaneDeps(doc, config.tables, pageTokenKeyOf(config, namedSecrets(config.region))),
  ...lockCatalogOf(doc, config),
  ...freshSignInOf(config),
  ...repoSettingsOf(doc, config),
};

/** Lambda entry point for the `human` routes of the manifest: pending, decisions, cancel, revoke, Slack links, repo settings and locks. */
export const handler = apiHandler("human", config.version, {
  ...humanOperations(deps),
  ...governanceOperations(deps),
  ...slackLinkOperations(deps, { links: new DynamoSlackLinkStore(doc, config.tables) }),
});
