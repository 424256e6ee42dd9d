import { processSigningKey, secretSigningKey } from "../../lambdas/adapters/secrets/signing-key";
import { ServiceUnavailableError, ValidationError } from "../../lambdas/core/errors";
import { openPageToken, sealPageToken } from "../../lambdas/core/page-token";

const key = { get: async () => Buffer.from("test key") };
const POSITION = "2030-01-01T00:00:00.000Z#task-1#01JAAAAAAAAAAAAAAAAAAAAAAA";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The token with the last signature character changed only in bits base64url ignores (32 bytes leave 2 spare). */
function respell(token: string): string {
  const last = BASE64URL.indexOf(token.at(-1) ?? "A");
  return `${token.slice(0, -1)}${BASE64URL[last ^ 1]}`;
}

describe("page tokens", () => {
  it("give back the position they seal, for the caller they were sealed for", async () => {
    // Act
    const token = await sealPageToken(key, "alice", POSITION);

    // Assess
    await expect(openPageToken(key, "alice", token)).resolves.toBe(POSITION);
    expect(token).not.toContain("alice");
  });

  it.each([
    ["another caller", async (t: string) => openPageToken(key, "bob", t)],
    [
      "another key",
      async (t: string) => openPageToken({ get: async () => Buffer.from("other") }, "alice", t),
    ],
    [
      "a changed position",
      async (t: string) =>
        openPageToken(key, "alice", `${Buffer.from("x").toString("base64url")}.${t.split(".")[1]}`),
    ],
    ["a cut signature", async (t: string) => openPageToken(key, "alice", t.slice(0, -4))],
    ["no signature", async (t: string) => openPageToken(key, "alice", t.split(".")[0] ?? "")],
    ["an extra part", async (t: string) => openPageToken(key, "alice", `${t}.x`)],
    [
      "a signature spelled otherwise, with the same bytes",
      async (t: string) => openPageToken(key, "alice", respell(t)),
    ],
    [
      "a stray character in the signature",
      async (t: string) => openPageToken(key, "alice", `${t.slice(0, -3)}!${t.slice(-3)}`),
    ],
  ])("are refused as a validation error of next_token with %s", async (_what, open) => {
    // Prepare
    const token = await sealPageToken(key, "alice", POSITION);

    // Act
    const opened = open(token);

    // Assess
    await expect(opened).rejects.toBeInstanceOf(ValidationError);
    await expect(opened).rejects.toMatchObject({ fields: [{ field: "next_token" }] });
  });
});

describe("signing keys", () => {
  it("read the key from a secret", async () => {
    // Act
    const bytes = await secretSigningKey({ get: async () => "s3cret" }).get();

    // Assess
    expect(Buffer.from(bytes).toString("utf8")).toBe("s3cret");
  });

  it.each([
    ["cannot be read", { get: () => Promise.reject(new Error("HTTP 500")) }],
    ["is empty", { get: async () => "" }],
    ["is not configured", { get: async () => undefined }],
  ])("answer 503, never a weaker key, when the secret %s", async (_what, secret) => {
    // Act
    const read = secretSigningKey(secret).get();

    // Assess
    await expect(read).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it("make one random key per process", async () => {
    // Prepare
    const local = processSigningKey();

    // Act
    const [a, b, other] = await Promise.all([local.get(), local.get(), processSigningKey().get()]);

    // Assess
    expect(a).toHaveLength(32);
    expect(b).toEqual(a);
    expect(other).not.toEqual(a);
  });
});
