import { randomBytes } from "node:crypto";
import { ServiceUnavailableError } from "../../core/errors";
import type { SigningKey } from "../../core/ports";
import type { SecretSource } from "../../core/slack/ports";

/**
 * A signing key held in a secret (Secrets Manager in AWS), so every process of a deployment signs
 * alike. A secret that cannot be read is a 503 for the call that needed it, never a weaker key.
 */
export function secretSigningKey(secret: SecretSource): SigningKey {
  return {
    async get() {
      let value: string | undefined;
      try {
        value = await secret.get();
      } catch (error) {
        throw new ServiceUnavailableError(error);
      }
      if (!value) throw new ServiceUnavailableError(new Error("the page token secret is empty"));
      return Buffer.from(value, "utf8");
    },
  };
}

/**
 * A random key made once per process, for local mode: one process serves every request there, and a
 * restart only means listing again from the first page.
 */
export function processSigningKey(): SigningKey {
  const key = randomBytes(32);
  return { get: async () => key };
}
