import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretSource } from "../../core/slack/ports";

/** How long a secret read from Secrets Manager is served from memory before it is read again. */
export const SECRET_CACHE_TTL_MS = 5 * 60 * 1000;

/** Options of {@link secretsManagerSecret}. */
export interface SecretsManagerSecretOptions {
  /** The client; built once per process by the composition root. */
  readonly client: Pick<SecretsManagerClient, "send">;
  /** The secret's name or ARN. */
  readonly secretId: string;
  /** How long a value is kept. @default {@link SECRET_CACHE_TTL_MS} */
  readonly ttlMs?: number;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
}

/**
 * A secret read with the Secrets Manager SDK and kept in memory for a while, so a warm function
 * calls Secrets Manager about once per TTL and a rotated secret is picked up within one TTL.
 * Concurrent reads share one call. A failed read is not kept: it fails the caller (the Slack doors
 * answer 503, the fan-out retries its batch) and the next read tries again. The SDK, unlike a
 * Lambda extension layer, works in every region and in local mode alike.
 */
export function secretsManagerSecret(options: SecretsManagerSecretOptions): SecretSource {
  const ttlMs = options.ttlMs ?? SECRET_CACHE_TTL_MS;
  const now = options.now ?? (() => performance.now());
  let cached: { readonly value: Promise<string>; readonly at: number } | undefined;
  const load = async (): Promise<string> => {
    const out = await options.client.send(new GetSecretValueCommand({ SecretId: options.secretId }));
    const value = out.SecretString?.trim();
    if (!value) throw new Error(`secret ${options.secretId} has no string value`);
    return value;
  };
  return {
    get() {
      if (cached === undefined || now() - cached.at >= ttlMs) {
        const entry: { value: Promise<string>; at: number } = { at: now(), value: Promise.resolve("") };
        entry.value = load().catch((error: unknown) => {
          if (cached === entry) cached = undefined;
          throw error;
        });
        cached = entry;
      }
      return cached.value;
    },
  };
}

/** The Secrets Manager client of a process, in the region it runs in. */
export function createSecretsClient(region: string): SecretsManagerClient {
  return new SecretsManagerClient({ region, maxAttempts: 3 });
}
