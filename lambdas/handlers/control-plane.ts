import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { GatesConfig } from "../adapters/config";
import { controlPlaneOperations } from "../adapters/http/control-plane-operations";
import { evaluationOperations } from "../adapters/http/evaluation-operations";
import { governanceOperations } from "../adapters/http/governance-operations";
import type { Operations } from "../adapters/http/operation";
import { publicOperations } from "../adapters/http/public-operations";
import { slackOperations } from "../adapters/http/slack-operations";
import { type SlackInboundConfig, slackInboundDeps } from "../adapters/slack/inbound/slack-inbound-config";
import type { DecisionDeps, EvaluationDeps, SettingsDeps } from "../core/control-plane/deps";
import type { SlackInboundDeps } from "../core/slack/ports";
import {
  controlPlaneDeps,
  dynamoDocument,
  freshSignInOf,
  lockCatalogOf,
  namedSecrets,
  pageTokenKeyOf,
  repoSettingsOf,
} from "./control-plane-deps";
import { BUILTIN_VERSION, evaluationDeps } from "./evaluation-deps";

export { DEFAULT_LOCK_CACHE_MS } from "./control-plane-deps";
export { BUILTIN_VERSION } from "./evaluation-deps";

/** Every dependency of every use case: what one process serving all route groups builds. */
export type AllDeps = EvaluationDeps & DecisionDeps & SettingsDeps;

/**
 * Builds the whole control plane, every route's operation included: the composition root of
 * local mode, where one process serves every route group. It reads nothing but its arguments:
 * `slackConfig` is what the process's own entry point read (the environment, in local mode).
 * `overrides` lets tests inject a clock or a sleeper, and `slackOverrides` the Slack adapters
 * (a signing secret, a fake response poster). The Lambda handlers each build only their own
 * group's part.
 */
export function buildControlPlane(
  config: GatesConfig,
  slackConfig: SlackInboundConfig,
  overrides: Partial<AllDeps> = {},
  doc: DynamoDBDocumentClient = dynamoDocument(config),
  slackOverrides: Partial<SlackInboundDeps> = {},
) {
  const secrets = namedSecrets(config.region);
  const base = {
    ...controlPlaneDeps(doc, config.tables, { ...pageTokenKeyOf(config, secrets) }),
    ...lockCatalogOf(doc, config),
    ...repoSettingsOf(doc, config),
    ...freshSignInOf(config),
    ...overrides,
  };
  const deps: AllDeps = evaluationDeps(base, doc, config.tables, overrides);
  const info = { version: config.version, builtinVersion: BUILTIN_VERSION };
  const slack: SlackInboundDeps = {
    ...slackInboundDeps(doc, config.tables, slackConfig, secrets),
    ...slackOverrides,
  };
  const operations: Required<Operations> = {
    ...publicOperations(info),
    ...evaluationOperations(deps, info),
    ...controlPlaneOperations(deps),
    ...governanceOperations(deps),
    ...slackOperations(deps, slack),
  };
  return { deps, info, operations };
}
