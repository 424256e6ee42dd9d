/**
 * OAuth 2.0 authorization code with PKCE (RFC 7636) against a Cognito user pool's Hosted UI, for
 * public clients: the web console in a browser and `gates login --web` on a laptop. It needs only
 * `fetch` and Web Crypto, which browsers and Node 20 both have, so both share this one copy.
 */

/** The scopes asked for: an id token (`openid`) with the user's email and name. */
export const OAUTH_SCOPES = ["openid", "email", "profile"] as const;

/** A code verifier and its S256 challenge. */
export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
}

/** What a token endpoint answers, as this client keeps it. */
export interface OAuthTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Absent on a refresh: the refresh token stays the one used. */
  readonly refreshToken?: string;
  /** Epoch milliseconds after which the id token is no longer accepted. */
  readonly expiresAt: number;
}

/** The Hosted UI and the app client a sign-in goes through. */
export interface OAuthClient {
  /** The Hosted UI's base URL, e.g. `https://gates-abc.auth.eu-west-1.amazoncognito.com`. */
  readonly hostedUiUrl: string;
  readonly clientId: string;
  /** Where the Hosted UI sends the browser back; one of the app client's callback URLs. */
  readonly redirectUri: string;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
}

/** The failure of a sign-in step, with the OAuth error code when the server sent one. */
export class OAuthError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "OAuthError";
  }
}

/** `bytes` random bytes as base64url without padding. */
export function randomToken(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A fresh verifier (43 characters of 256 random bits, as RFC 7636 recommends) and its challenge. */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomToken(32);
  return { verifier, challenge: await pkceChallenge(verifier) };
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/**
 * The URL that starts a sign-in. With `fresh`, the Hosted UI's own session is ended first and the
 * user signs in again, so the new id token carries a new `auth_time` (a refresh, or a sign-in that
 * rides on the Hosted UI's cookie, keeps the old one).
 */
export function authorizeUrl(
  client: OAuthClient,
  options: { readonly challenge: string; readonly state: string; readonly fresh?: boolean },
): string {
  const base = client.hostedUiUrl.replace(/\/+$/, "");
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: OAUTH_SCOPES.join(" "),
    state: options.state,
    code_challenge: options.challenge,
    code_challenge_method: "S256",
  });
  // Cognito's logout endpoint, given the authorize parameters, signs the session out and then shows
  // the sign-in page for them.
  return `${base}/${options.fresh ? "logout" : "oauth2/authorize"}?${params}`;
}

/**
 * Reads the redirect back from the Hosted UI: the code, once its `state` matches the one sent
 * (anything else is a forged or stale redirect and is refused).
 */
export function readCallback(url: URL, expectedState: string): string {
  const error = url.searchParams.get("error");
  if (error) {
    const description = url.searchParams.get("error_description");
    throw new OAuthError(`the sign-in was refused: ${description ?? error}`, error);
  }
  const state = url.searchParams.get("state");
  if (!state || state !== expectedState)
    throw new OAuthError("the sign-in answer does not match the sign-in this client started; start again");
  const code = url.searchParams.get("code");
  if (!code) throw new OAuthError("the sign-in answer carries no authorization code");
  return code;
}

/** Trades the authorization code and the verifier for tokens at the token endpoint. */
export function exchangeCode(
  client: OAuthClient,
  code: string,
  verifier: string,
  now = Date.now(),
): Promise<OAuthTokens> {
  return tokenRequest(
    client,
    {
      grant_type: "authorization_code",
      client_id: client.clientId,
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    },
    now,
  );
}

/** New id and access tokens for a refresh token; `auth_time` stays that of the original sign-in. */
export function refreshTokens(
  client: Omit<OAuthClient, "redirectUri">,
  refreshToken: string,
  now = Date.now(),
): Promise<OAuthTokens> {
  return tokenRequest(
    client,
    { grant_type: "refresh_token", client_id: client.clientId, refresh_token: refreshToken },
    now,
  );
}

async function tokenRequest(
  client: Omit<OAuthClient, "redirectUri">,
  form: Record<string, string>,
  now: number,
): Promise<OAuthTokens> {
  const url = `${client.hostedUiUrl.replace(/\/+$/, "")}/oauth2/token`;
  let response: Response;
  try {
    response = await (client.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      // A token endpoint never redirects; following one could hand the code to another host.
      redirect: "error",
    });
  } catch (error) {
    throw new OAuthError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = await response.json().catch(() => undefined);
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  if (!response.ok) {
    const code = typeof record.error === "string" ? record.error : undefined;
    throw new OAuthError(
      `the token endpoint refused the request (HTTP ${response.status}${code ? `, ${code}` : ""})`,
      code,
    );
  }
  const { id_token, access_token, refresh_token, expires_in } = record;
  if (typeof id_token !== "string" || typeof access_token !== "string")
    throw new OAuthError("the token endpoint answered without an id token and an access token");
  const lifetimeS = typeof expires_in === "number" && expires_in > 0 ? expires_in : 3600;
  return {
    idToken: id_token,
    accessToken: access_token,
    ...(typeof refresh_token === "string" ? { refreshToken: refresh_token } : {}),
    expiresAt: now + lifetimeS * 1000,
  };
}

/**
 * The claims of a JWT, decoded but not verified: for showing who is signed in and when the token
 * expires. The API verifies tokens itself; nothing here is trusted for a decision.
 */
export function unverifiedClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
