import {
  authorizeUrl,
  createPkcePair,
  exchangeCode,
  type OAuthClient,
  OAuthError,
  readCallback,
  refreshTokens,
  unverifiedClaims,
} from "../../../sdk/oauth-pkce";
import { type FakeHostedUi, startFakeHostedUi } from "../../support/fake-hosted-ui";

const REDIRECT = "http://localhost:1/callback";
let hostedUi: FakeHostedUi;
let client: OAuthClient;

beforeAll(async () => {
  hostedUi = await startFakeHostedUi([{ clientId: "console", callbackUrls: [REDIRECT] }]);
  client = { hostedUiUrl: hostedUi.url, clientId: "console", redirectUri: REDIRECT };
});
afterAll(() => hostedUi.stop());

/** Walks the browser's part: the authorize URL, and the code its redirect carries back. */
async function authorize(challenge: string, state = "st"): Promise<string> {
  const response = await fetch(authorizeUrl(client, { challenge, state }), { redirect: "manual" });
  expect(response.status).toBe(302);
  return readCallback(new URL(response.headers.get("location") ?? ""), state);
}

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe("authorization code with PKCE against a fake Hosted UI", () => {
  it("trades the code and its verifier for tokens, and the id token names the user", async () => {
    // Prepare
    const { verifier, challenge } = await createPkcePair();
    const code = await authorize(challenge);

    // Act
    const tokens = await exchangeCode(client, code, verifier, 1_000_000);

    // Assess
    expect(tokens).toMatchObject({
      accessToken: "access",
      refreshToken: "refresh-token",
      expiresAt: 4_600_000,
    });
    expect(unverifiedClaims(tokens.idToken)).toMatchObject({ sub: "sub-alice", "cognito:username": "alice" });
    expect(hostedUi.tokenRequests.at(-1)).toMatchObject({
      grant_type: "authorization_code",
      client_id: "console",
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
  });

  it("is refused with another verifier than the challenge's", async () => {
    // Prepare
    const { challenge } = await createPkcePair();
    const other = await createPkcePair();
    const code = await authorize(challenge);

    // Act
    const error = await refusal(exchangeCode(client, code, other.verifier));

    // Assess
    expect(error.code).toBe("invalid_grant");
    expect(error.message).toContain("HTTP 400");
  });

  it("cannot redeem a code twice", async () => {
    // Prepare
    const { verifier, challenge } = await createPkcePair();
    const code = await authorize(challenge);
    await exchangeCode(client, code, verifier);

    // Act
    const error = await refusal(exchangeCode(client, code, verifier));

    // Assess
    expect(error.code).toBe("invalid_grant");
  });

  it("cannot redeem a code for another redirect URI than the one it was issued for", async () => {
    // Prepare
    const { verifier, challenge } = await createPkcePair();
    const code = await authorize(challenge);

    // Act
    const error = await refusal(
      exchangeCode({ ...client, redirectUri: "http://localhost:2/callback" }, code, verifier),
    );

    // Assess
    expect(error.code).toBe("invalid_grant");
  });

  it("refreshes the id token with the refresh token", async () => {
    // Act
    const tokens = await refreshTokens(client, "refresh-token");

    // Assess
    expect(tokens.refreshToken).toBeUndefined();
    expect(unverifiedClaims(tokens.idToken)).toMatchObject({ sub: "sub-alice" });
  });

  it("says which endpoint it cannot reach, with no tokens", async () => {
    // Act
    const error = await refusal(
      exchangeCode({ ...client, hostedUiUrl: "http://127.0.0.1:1" }, "code", "verifier"),
    );

    // Assess
    expect(error.message).toContain("cannot reach http://127.0.0.1:1/oauth2/token");
  });

  it("refuses an answer without an id token", async () => {
    // Prepare
    const noIdToken: typeof fetch = async () =>
      new Response(JSON.stringify({ access_token: "a" }), {
        headers: { "content-type": "application/json" },
      });

    // Act
    const error = await refusal(exchangeCode({ ...client, fetch: noIdToken }, "code", "verifier"));

    // Assess
    expect(error.message).toContain("without an id token");
  });
});
