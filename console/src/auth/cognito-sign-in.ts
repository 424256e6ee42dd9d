import {
  authorizeUrl,
  createPkcePair,
  exchangeCode,
  type OAuthClient,
  type OAuthTokens,
  randomToken,
  readCallback,
  refreshTokens,
  unverifiedClaims,
} from "../../../sdk/oauth-pkce";
import type { CognitoConsoleConfig } from "../../config";
import type { Authorizer } from "../api";
import type { SignedIn } from "./session";

/**
 * What must survive the round trip to the Hosted UI: the PKCE verifier, the state and where to go
 * back. Kept in sessionStorage for that one trip and removed when the browser returns; tokens
 * never are stored, only held in memory.
 */
const PENDING_KEY = "gates.sign-in";

interface PendingSignIn {
  readonly verifier: string;
  readonly state: string;
  readonly returnTo: string;
}

/** The app client and Hosted UI of the deployment; the callback is the console's own root. */
export function oauthClient(config: CognitoConsoleConfig): OAuthClient {
  return { hostedUiUrl: config.hostedUiUrl, clientId: config.clientId, redirectUri: `${location.origin}/` };
}

/** Sends the browser to the Hosted UI; `fresh` makes the user authenticate again. */
export async function startSignIn(
  config: CognitoConsoleConfig,
  returnTo: string,
  fresh = false,
): Promise<void> {
  const { verifier, challenge } = await createPkcePair();
  const pending: PendingSignIn = { verifier, state: randomToken(16), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(authorizeUrl(oauthClient(config), { challenge, state: pending.state, fresh }));
}

/**
 * Finishes a sign-in when the browser comes back from the Hosted UI with `?code=…&state=…`:
 * checks the state, trades the code for tokens and clears the address bar. `undefined` when this
 * page load is not such a return.
 */
export async function finishSignIn(
  config: CognitoConsoleConfig,
): Promise<{ tokens: OAuthTokens; returnTo: string } | undefined> {
  const url = new URL(location.href);
  if (!url.searchParams.has("code") && !url.searchParams.has("error")) return undefined;
  const saved = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", `${url.pathname}${url.hash}`);
  const pending = saved ? (JSON.parse(saved) as PendingSignIn) : undefined;
  const code = readCallback(url, pending?.state ?? "");
  if (!pending) throw new Error("no sign-in was started here");
  const tokens = await exchangeCode(oauthClient(config), code, pending.verifier);
  return { tokens, returnTo: pending.returnTo.startsWith("#/") ? pending.returnTo : "#/" };
}

/** Holds the tokens in memory and refreshes the id token shortly before it expires. */
export class TokenHolder {
  private current: OAuthTokens;
  private refreshing: Promise<OAuthTokens> | undefined;

  constructor(
    private readonly config: CognitoConsoleConfig,
    tokens: OAuthTokens,
  ) {
    this.current = tokens;
  }

  /** The id token, refreshed first when it has less than a minute left. */
  async idToken(): Promise<string> {
    if (this.current.expiresAt - 60_000 > Date.now() || !this.current.refreshToken)
      return this.current.idToken;
    const refreshToken = this.current.refreshToken;
    this.refreshing ??= refreshTokens(oauthClient(this.config), refreshToken).finally(() => {
      this.refreshing = undefined;
    });
    const fresh = await this.refreshing;
    this.current = { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
    return this.current.idToken;
  }

  /** Who the id token names; for display only (the API checks the token). */
  user(): SignedIn {
    const claims = unverifiedClaims(this.current.idToken);
    const groups = Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"] : [];
    const sub = typeof claims.sub === "string" ? claims.sub : "";
    const label = [claims.email, claims["cognito:username"], sub].find(
      (v) => typeof v === "string" && v !== "",
    );
    return {
      id: sub,
      label: String(label ?? sub),
      admin: groups.includes("gates-admins"),
      authTime: typeof claims.auth_time === "number" ? claims.auth_time : undefined,
    };
  }
}

/** The authorizer of a deployed console: the id token on Cognito routes, SigV4 on IAM ones. */
export async function cognitoAuthorizer(
  config: CognitoConsoleConfig,
  tokens: TokenHolder,
): Promise<Authorizer> {
  const { routeAuth } = await import("../../../cdk/constructs/route-authorization");
  const { ROUTES } = await import("../../../lambdas/routes");
  const { identityPoolSigner } = await import("./aws-signing");
  const sign = identityPoolSigner(config, () => tokens.idToken());
  return async (request) => {
    const route = ROUTES.find((r) => r.operation === request.operation);
    const auth = route ? routeAuth(route, config.mixedRouteAuth) : "cognito";
    if (auth === "none") return {};
    if (auth === "iam") return sign(request);
    return { authorization: `Bearer ${await tokens.idToken()}` };
  };
}

/** Ends the Hosted UI's session and comes back to the console's root. */
export function signOutUrl(config: CognitoConsoleConfig): string {
  const params = new URLSearchParams({ client_id: config.clientId, logout_uri: `${location.origin}/` });
  return `${config.hostedUiUrl}/logout?${params}`;
}
