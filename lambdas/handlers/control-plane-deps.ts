import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import type { GatesConfig } from "../adapters/config";
import { createDynamoClients } from "../adapters/dynamo/clients";
import { DynamoLockStore } from "../adapters/dynamo/lock-store";
import { DynamoRateLimiter } from "../adapters/dynamo/rate-limiter";
import { DynamoSettingsStore } from "../adapters/dynamo/settings-store";
import type { TableNames } from "../adapters/dynamo/tables";
import { DynamoTaskStore } from "../adapters/dynamo/task-store";
import { createSecretsClient, secretsManagerSecret } from "../adapters/secrets/secrets-manager-secret";
import { processSigningKey, secretSigningKey } from "../adapters/secrets/signing-key";
import type { ControlPlaneDeps, DecisionDeps, LockDeps, SettingsDeps } from "../core/control-plane/deps";
import { DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN } from "../core/control-plane/fresh-sign-in";
import { LockCatalog } from "../core/control-plane/lock-catalog";
import { DEFAULT_SETTINGS } from "../core/governance/settings";
import type { SecretSource } from "../core/slack/ports";
import { tracing } from "./tracing";

/** The DynamoDB document client of a process, at the endpoint its configuration names. */
export function dynamoDocument(
  config: Pick<GatesConfig, "region" | "dynamoEndpoint">,
): DynamoDBDocumentClient {
  return createDynamoClients({
    region: config.region,
    ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
  }).doc;
}

/**
 * The dependencies of the use cases that need tables but no policy engine: deciding, waiting,
 * reading, finishing and timing out. Building them loads neither Cedar nor the shell parser.
 */
export function controlPlaneDeps(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  overrides: Partial<ControlPlaneDeps> = {},
): ControlPlaneDeps {
  const ulid = monotonicFactory();
  return {
    tasks: new DynamoTaskStore(doc, tables),
    rateLimiter: new DynamoRateLimiter(doc, tables),
    pageTokenKey: processSigningKey(),
    clock: { now: () => new Date() },
    sleeper: { sleep: (ms) => sleep(ms) },
    ids: { ulid: (now) => ulid(now.getTime()) },
    random: Math.random,
    ...overrides,
  };
}

/** How long a process keeps its copy of the locks unless configured otherwise. */
export const DEFAULT_LOCK_CACHE_MS = 1000;

/** The locks in force, for the processes that evaluate, decide, or place and lift locks. */
export function lockCatalogOf(
  doc: DynamoDBDocumentClient,
  config: Pick<GatesConfig, "tables" | "lockCacheMs">,
): Pick<LockDeps, "locks"> {
  return {
    locks: new LockCatalog(
      new DynamoLockStore(doc, config.tables),
      config.lockCacheMs ?? DEFAULT_LOCK_CACHE_MS,
      () => performance.now(),
    ),
  };
}

/** Repo settings, for the processes that register tasks, dry-run policies, or read and publish settings. */
export function repoSettingsOf(
  doc: DynamoDBDocumentClient,
  config: Pick<GatesConfig, "tables" | "defaultSettings">,
): Pick<SettingsDeps, "settings" | "defaultSettings"> {
  return {
    settings: new DynamoSettingsStore(doc, config.tables),
    defaultSettings: DEFAULT_SETTINGS[config.defaultSettings ?? "strict"],
  };
}

/** How recent a sign-in critical approvals need, for the processes that decide. */
export function freshSignInOf(
  config: Pick<GatesConfig, "criticalSignInMaxAgeMin">,
): Pick<DecisionDeps, "freshSignIn"> {
  return {
    freshSignIn: {
      criticalMaxAgeS: 60 * (config.criticalSignInMaxAgeMin ?? DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN),
    },
  };
}

/**
 * Reads named secrets from Secrets Manager in the process's region, through one client that is
 * built on the first read, so a process that names no secret never builds it.
 */
export function namedSecrets(region: string): (name: string) => SecretSource {
  let client: ReturnType<typeof createSecretsClient> | undefined;
  return (secretId) =>
    secretsManagerSecret({
      client: {
        send: (command) => {
          client ??= tracing ? tracing.traceClient(createSecretsClient(region)) : createSecretsClient(region);
          return client.send(command);
        },
      },
      secretId,
    });
}

/**
 * The key that signs `next_token` of the pending list: from the secret the deployment names, so
 * every instance signs alike, or (`{}`) the process's own random key, for local mode.
 */
export function pageTokenKeyOf(
  config: Pick<GatesConfig, "pageTokenSecretId">,
  secrets: (name: string) => SecretSource,
): Partial<Pick<ControlPlaneDeps, "pageTokenKey">> {
  return config.pageTokenSecretId
    ? { pageTokenKey: secretSigningKey(secrets(config.pageTokenSecretId)) }
    : {};
}
