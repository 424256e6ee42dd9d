import type { SecretSource } from "../../../core/slack/ports";

/**
 * A secret read from the environment once, when the composition root builds it. Used locally;
 * in AWS the secret lives in Secrets Manager and a secret-store source replaces this one.
 */
export function envSecretSource(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): SecretSource {
  const value = env[name]?.trim();
  return { get: async () => (value ? value : undefined) };
}

/** A source that has no secret: the Slack routes then answer 503 rather than accept unsigned requests. */
export const noSecret: SecretSource = { get: async () => undefined };
