import type { SecretSource } from "../../core/slack/ports";

/** Options of {@link secretsExtensionSecret}. */
export interface SecretsExtensionOptions {
  /** The secret's name or ARN. */
  readonly secretId: string;
  /** The Lambda session token, which the extension requires as proof the caller runs in the function. */
  readonly sessionToken: string | undefined;
  /** The extension's port. @default 2773 */
  readonly port?: number;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
}

/**
 * A secret read through the AWS Parameters and Secrets Lambda Extension, which caches it and calls
 * Secrets Manager with the function's role; this keeps the Secrets Manager SDK out of the bundle.
 * The value is fetched once per execution environment and kept; a failed read is not kept, so the next
 * invocation tries again.
 */
export function secretsExtensionSecret(options: SecretsExtensionOptions): SecretSource {
  const doFetch = options.fetch ?? fetch;
  let cached: Promise<string> | undefined;
  const load = async (): Promise<string> => {
    if (!options.sessionToken)
      throw new Error("AWS_SESSION_TOKEN is not set; the secrets extension needs it.");
    const url = `http://localhost:${options.port ?? 2773}/secretsmanager/get?secretId=${encodeURIComponent(options.secretId)}`;
    const response = await doFetch(url, {
      headers: { "X-Aws-Parameters-Secrets-Token": options.sessionToken },
    });
    if (!response.ok)
      throw new Error(`secret ${options.secretId} could not be read: HTTP ${response.status}`);
    const body: unknown = await response.json();
    const value =
      typeof body === "object" && body !== null ? (body as Record<string, unknown>).SecretString : undefined;
    if (typeof value !== "string" || value === "")
      throw new Error(`secret ${options.secretId} has no string value`);
    return value.trim();
  };
  return {
    get() {
      cached ??= load().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}
