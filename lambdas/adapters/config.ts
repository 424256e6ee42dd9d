import type { DefaultSettingsProfile } from "../core/governance/settings";
import { TABLE_LOGICAL_NAMES, type TableName, type TableNames, tableNames } from "./dynamo/tables";

/** Configuration of a control-plane process, read once from the environment at start-up. */
export interface GatesConfig {
  readonly region: string;
  /** A DynamoDB Local endpoint; absent in AWS. */
  readonly dynamoEndpoint?: string;
  readonly tables: TableNames;
  readonly version: string;
  /**
   * The name or ARN of the Secrets Manager secret whose value signs `next_token`s
   * (`GATES_PAGE_TOKEN_SECRET_ID`).
   * @default a random key per process, which is right for local mode's single process only
   */
  readonly pageTokenSecretId?: string;
  /**
   * The settings of repos no admin published settings for (`GATES_DEFAULT_SETTINGS`).
   * @default "strict"
   */
  readonly defaultSettings?: DefaultSettingsProfile;
  /**
   * How long a process may keep its copy of the locks (`GATES_LOCK_CACHE_MS`): the most time a lock
   * placed elsewhere takes to reach this process's evaluations.
   * @default 1000
   */
  readonly lockCacheMs?: number;
  /**
   * How old, in minutes, the sign-in behind a critical approval may be (`GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN`).
   * @default 10
   */
  readonly criticalSignInMaxAgeMin?: number;
}

/** The longest a process may keep its copy of the locks; locks must reach evaluations within 5 s. */
export const MAX_LOCK_CACHE_MS = 4000;

/** The environment variable carrying a table's physical name, e.g. `GATES_TABLE_TASKS`. */
export function tableEnvVar(name: TableName): string {
  return `GATES_TABLE_${name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/**
 * Reads and checks the configuration; a missing or malformed value stops start-up with a
 * message naming the variable, rather than failing on the first request.
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>): GatesConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set; set it to the region of the tables.");
  const prefix = env.GATES_TABLE_PREFIX;
  const tables = prefix ? tableNames(prefix) : tablesFromEnv(env);
  const endpoint = env.GATES_DYNAMO_ENDPOINT;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new Error(`GATES_DYNAMO_ENDPOINT "${endpoint}" is not an http(s) URL.`);
  }
  const pageTokenSecretId = env.GATES_PAGE_TOKEN_SECRET_ID;
  const profile = env.GATES_DEFAULT_SETTINGS ?? "strict";
  if (profile !== "strict" && profile !== "local") {
    throw new Error(`GATES_DEFAULT_SETTINGS "${profile}" is not "strict" or "local".`);
  }
  const lockCache = env.GATES_LOCK_CACHE_MS;
  const lockCacheMs = lockCache === undefined ? undefined : Number(lockCache);
  if (
    lockCacheMs !== undefined &&
    (!Number.isInteger(lockCacheMs) || lockCacheMs < 0 || lockCacheMs > MAX_LOCK_CACHE_MS)
  ) {
    throw new Error(
      `GATES_LOCK_CACHE_MS "${lockCache}" is not a whole number of milliseconds from 0 to ${MAX_LOCK_CACHE_MS}.`,
    );
  }
  const maxAge = readCriticalSignInMaxAge(env);
  return {
    region,
    tables,
    version: env.GATES_VERSION ?? "dev",
    defaultSettings: profile,
    ...(lockCacheMs !== undefined ? { lockCacheMs } : {}),
    ...(endpoint ? { dynamoEndpoint: endpoint } : {}),
    ...(pageTokenSecretId ? { pageTokenSecretId } : {}),
    ...(maxAge !== undefined ? { criticalSignInMaxAgeMin: maxAge } : {}),
  };
}

/** `GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN`: whole minutes, 1 to 1440; unset means the default. */
export function readCriticalSignInMaxAge(
  env: Readonly<Record<string, string | undefined>>,
): number | undefined {
  const raw = env.GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN;
  if (raw === undefined || raw === "") return undefined;
  const minutes = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(minutes >= 1 && minutes <= 1440)) {
    throw new Error(
      `GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN "${raw}" must be a whole number of minutes, 1 to 1440.`,
    );
  }
  return minutes;
}

function tablesFromEnv(env: Readonly<Record<string, string | undefined>>): TableNames {
  const missing: string[] = [];
  const names: Partial<Record<TableName, string>> = {};
  for (const name of TABLE_LOGICAL_NAMES) {
    const value = env[tableEnvVar(name)];
    if (value) names[name] = value;
    else missing.push(tableEnvVar(name));
  }
  if (missing.length > 0) {
    throw new Error(`Table names are not configured: set GATES_TABLE_PREFIX, or ${missing.join(", ")}.`);
  }
  return names as TableNames;
}
