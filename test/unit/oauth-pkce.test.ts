import {
  authorizeUrl,
  createPkcePair,
  OAuthError,
  pkceChallenge,
  readCallback,
  unverifiedClaims,
} from "../../sdk/oauth-pkce";

const CLIENT = {
  hostedUiUrl: "https://gates.auth.eu-west-1.amazoncognito.com/",
  clientId: "client-1",
  redirectUri: "http://localhost:53682/callback",
};

describe("pkceChallenge", () => {
  it("computes RFC 7636's S256 example", async () => {
    // Act
    const challenge = await pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

    // Assess
    expect(challenge).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });
});

describe("createPkcePair", () => {
  it("makes a fresh 43-character base64url verifier with its own challenge each time", async () => {
    // Act
    const [a, b] = await Promise.all([createPkcePair(), createPkcePair()]);

    // Assess
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(await pkceChallenge(a.verifier));
  });
});

describe("authorizeUrl", () => {
  it("asks the Hosted UI for a code with the S256 challenge, the state and the id-token scopes", () => {
    // Act
    const url = new URL(authorizeUrl(CLIENT, { challenge: "ch", state: "st" }));

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(
      "https://gates.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "client-1",
      redirect_uri: "http://localhost:53682/callback",
      scope: "openid email profile",
      state: "st",
      code_challenge: "ch",
      code_challenge_method: "S256",
    });
  });

  it("goes through the logout endpoint for a fresh sign-in, with the same parameters", () => {
    // Act
    const url = new URL(authorizeUrl(CLIENT, { challenge: "ch", state: "st", fresh: true }));

    // Assess
    expect(url.pathname).toBe("/logout");
    expect(url.searchParams.get("code_challenge")).toBe("ch");
    expect(url.searchParams.get("redirect_uri")).toBe(CLIENT.redirectUri);
  });
});

describe("readCallback", () => {
  const back = (query: string) => new URL(`http://localhost:53682/callback?${query}`);

  it("gives the code when the state is the one sent", () => {
    expect(readCallback(back("code=abc&state=st"), "st")).toBe("abc");
  });

  it.each([
    { name: "another state", query: "code=abc&state=other" },
    { name: "no state", query: "code=abc" },
    { name: "an empty expected state", query: "code=abc&state=", expected: "" },
  ])("refuses a redirect with $name", ({ query, expected }) => {
    expect(() => readCallback(back(query), expected ?? "st")).toThrow(/does not match/);
  });

  it("refuses a redirect without a code", () => {
    expect(() => readCallback(back("state=st"), "st")).toThrow(/no authorization code/);
  });

  it("reports the Hosted UI's error with its code", () => {
    // Act
    let caught: unknown;
    try {
      readCallback(back("error=access_denied&error_description=nope&state=st"), "st");
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(OAuthError);
    expect(caught).toMatchObject({ code: "access_denied", message: expect.stringContaining("nope") });
  });
});

describe("unverifiedClaims", () => {
  it("reads a JWT's payload, base64url with multi-byte text", () => {
    // Prepare
    const payload = Buffer.from(JSON.stringify({ sub: "s", name: "Zoë" })).toString("base64url");

    // Act, Assess
    expect(unverifiedClaims(`e30.${payload}.`)).toEqual({ sub: "s", name: "Zoë" });
  });

  it.each(["", "not-a-jwt", "a.%%%.c", `a.${Buffer.from("[1]").toString("base64url")}.c`])(
    "gives no claims for %p",
    (token) => {
      expect(unverifiedClaims(token)).toEqual({});
    },
  );
});
