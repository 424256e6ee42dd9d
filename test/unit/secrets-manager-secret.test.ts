import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  SECRET_CACHE_TTL_MS,
  secretsManagerSecret,
} from "../../lambdas/adapters/secrets/secrets-manager-secret";

/** A Secrets Manager client that answers from a script and records what it was asked. */
function fakeClient(answer: () => Promise<{ SecretString?: string }>) {
  const asked: string[] = [];
  return {
    asked,
    client: {
      send: async (command: unknown) => {
        if (!(command instanceof GetSecretValueCommand)) throw new Error("unexpected command");
        asked.push(String(command.input.SecretId));
        return answer();
      },
    },
  };
}

describe("secretsManagerSecret", () => {
  it("reads the secret by name once, trimmed, and serves it from memory until the TTL passes", async () => {
    // Prepare
    let value = "xoxb-first\n";
    const { asked, client } = fakeClient(async () => ({ SecretString: value }));
    let now = 1_000;
    const secret = secretsManagerSecret({
      client: client as never,
      secretId: "gates/slack/bot",
      now: () => now,
    });

    // Act
    const first = await Promise.all([secret.get(), secret.get()]);
    now += SECRET_CACHE_TTL_MS - 1;
    const stillCached = await secret.get();
    value = "xoxb-rotated";
    now += 1;
    const refreshed = await secret.get();

    // Assess
    expect(first).toEqual(["xoxb-first", "xoxb-first"]);
    expect(stillCached).toBe("xoxb-first");
    expect(refreshed).toBe("xoxb-rotated");
    expect(asked).toEqual(["gates/slack/bot", "gates/slack/bot"]);
  });

  it("keeps no failed read, so the next call asks Secrets Manager again", async () => {
    // Prepare
    let fail = true;
    const { asked, client } = fakeClient(async () => {
      if (fail) throw new Error("AccessDeniedException");
      return { SecretString: "signing-secret" };
    });
    const secret = secretsManagerSecret({ client: client as never, secretId: "gates/slack/signing" });

    // Act
    const failed = secret.get();
    await expect(failed).rejects.toThrow("AccessDeniedException");
    fail = false;
    const value = await secret.get();

    // Assess
    expect(value).toBe("signing-secret");
    expect(asked).toHaveLength(2);
  });

  it.each([[{}], [{ SecretString: "  \n" }]])(
    "refuses a secret without a string value (%p)",
    async (answer) => {
      // Prepare
      const { client } = fakeClient(async () => answer);
      const secret = secretsManagerSecret({ client: client as never, secretId: "gates/slack/bot" });

      // Act, Assess
      await expect(secret.get()).rejects.toThrow(/gates\/slack\/bot has no string value/);
    },
  );
});
