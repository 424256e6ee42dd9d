import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createAuthenticator } from "../../sdk/auth";

/** Golden SigV4 signatures of the SDK's signer; the Python client checks itself against the same files. */
interface SigV4Vector {
  name: string;
  input: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    region?: string;
    signing_date: string;
  };
  expected: { headers: Record<string, string> };
}

const DIR = join(__dirname, "../../contracts/fixtures/sigv4");
const vectors = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as SigV4Vector);

afterEach(() => jest.useRealTimers());

describe("the SDK's SigV4 signer", () => {
  it("has vectors to be checked against", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(vectors.map((v) => [v.name, v] as const))("%s", async (_name, { input, expected }) => {
    // Prepare
    jest.useFakeTimers({ now: new Date(input.signing_date) });
    const sign = createAuthenticator({
      sigv4: { credentials: input.credentials, ...(input.region ? { region: input.region } : {}) },
    });

    // Act
    const headers = await sign({
      method: input.method,
      url: new URL(input.url),
      headers: input.headers,
      ...(input.body !== undefined ? { body: input.body } : {}),
    });

    // Assess
    expect(headers).toEqual(expected.headers);
  });
});
