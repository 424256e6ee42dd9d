import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import { CedarPolicyEngine } from "../adapters/cedar/cedar-engine";
import type { GatesConfig } from "../adapters/config";
import { createDynamoClients } from "../adapters/dynamo/clients";
import { DynamoLockStore } from "../adapters/dynamo/lock-store";
import { DynamoPolicyStore } from "../adapters/dynamo/policy-store";
import { DynamoRateLimiter } from "../adapters/dynamo/rate-limiter";
import { DynamoSettingsStore } from "../adapters/dynamo/settings-store";
import { DynamoTaskStore } from "../adapters/dynamo/task-store";
import { type ControlPlaneInfo, controlPlaneOperations } from "../adapters/http/control-plane-operations";
import type { Operations } from "../adapters/http/operation";
import { slackOperations } from "../adapters/http/slack-operations";
import { secretsExtensionSecret } from "../adapters/secrets/secrets-extension";
import { processSigningKey, secretSigningKey } from "../adapters/secrets/signing-key";
import { loadBashParser } from "../adapters/shell/tree-sitter-bash";
import { readSlackInboundConfig, slackInboundDeps } from "../adapters/slack/inbound/slack-inbound-config";
import type { ControlPlaneDeps } from "../core/control-plane/deps";
import { DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN } from "../core/control-plane/fresh-sign-in";
import { LockCatalog } from "../core/control-plane/lock-catalog";
import { PolicyCatalog } from "../core/control-plane/policy-catalog";
import { ServiceUnavailableError } from "../core/errors";
import { DEFAULT_SETTINGS } from "../core/governance/settings";
import { sha256Hex } from "../core/hashing";
import type { SlackInboundDeps } from "../core/slack/ports";
import { BUILTIN_POLICY_TEXTS } from "../policies/builtin";

/** Fingerprint of the deployed built-in rules. */
export const BUILTIN_VERSION = sha256Hex(BUILTIN_POLICY_TEXTS.join("\n")).slice(0, 12);

/**
 * Builds the control plane's dependencies: the one composition root shared by the Lambda
 * handlers and local mode. `overrides` lets tests inject a clock or a sleeper, and
 * `slackOverrides` the Slack adapters (a signing secret, a fake response poster).
 */
export function buildControlPlane(
  config: GatesConfig,
  overrides: Partial<ControlPlaneDeps> = {},
  doc: DynamoDBDocumentClient = createDynamoClients({
    region: config.region,
    ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
  }).doc,
  slackOverrides: Partial<SlackInboundDeps> = {},
) {
  const pageTokenKey = config.pageTokenSecretId
    ? secretSigningKey(
        secretsExtensionSecret({
          secretId: config.pageTokenSecretId,
          sessionToken: process.env.AWS_SESSION_TOKEN,
        }),
      )
    : undefined;
  const deps = controlPlaneDeps(doc, config, {
    ...(pageTokenKey ? { pageTokenKey } : {}),
    ...overrides,
  });
  const info: ControlPlaneInfo = { version: config.version, builtinVersion: BUILTIN_VERSION };
  const slack: SlackInboundDeps = {
    // In Lambda, named secrets come from Secrets Manager through the Parameters and Secrets extension.
    ...slackInboundDeps(doc, config.tables, readSlackInboundConfig(process.env), (name) =>
      secretsExtensionSecret({ secretId: name, sessionToken: process.env.AWS_SESSION_TOKEN }),
    ),
    ...slackOverrides,
  };
  const operations: Required<Operations> = {
    ...controlPlaneOperations(deps, info),
    ...slackOperations(deps, slack),
  };
  return { deps, info, operations };
}

/** How long a process keeps its copy of the locks unless configured otherwise. */
export const DEFAULT_LOCK_CACHE_MS = 1000;

export function controlPlaneDeps(
  doc: DynamoDBDocumentClient,
  config: Pick<GatesConfig, "tables" | "defaultSettings" | "lockCacheMs" | "criticalSignInMaxAgeMin">,
  overrides: Partial<ControlPlaneDeps> = {},
): ControlPlaneDeps {
  // The parser's WebAssembly compiles in the background while Cedar's loads; a failure here
  // is seen, and retried, by the first evaluation that waits for it.
  loadBashParser().catch(() => undefined);
  const { tables } = config;
  const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS);
  const ulid = monotonicFactory();
  return {
    tasks: new DynamoTaskStore(doc, tables),
    policies: new PolicyCatalog(new DynamoPolicyStore(doc, tables), (source, options) =>
      engine.compile(source, options),
    ),
    // A parser that cannot load is a dependency failure: every evaluation answers 503, never a decision.
    shell: () =>
      loadBashParser().catch((error: unknown) => {
        throw new ServiceUnavailableError(error);
      }),
    settings: new DynamoSettingsStore(doc, tables),
    defaultSettings: DEFAULT_SETTINGS[config.defaultSettings ?? "strict"],
    locks: new LockCatalog(
      new DynamoLockStore(doc, tables),
      config.lockCacheMs ?? DEFAULT_LOCK_CACHE_MS,
      () => performance.now(),
    ),
    rateLimiter: new DynamoRateLimiter(doc, tables),
    pageTokenKey: processSigningKey(),
    clock: { now: () => new Date() },
    sleeper: { sleep: (ms) => sleep(ms) },
    ids: { ulid: (now) => ulid(now.getTime()) },
    random: Math.random,
    freshSignIn: {
      criticalMaxAgeS: 60 * (config.criticalSignInMaxAgeMin ?? DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN),
    },
    ...overrides,
  };
}
