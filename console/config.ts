/**
 * What the console reads from `/console-config.json` when it starts: how humans sign in and where
 * the API is. Local mode serves it from the local server; a deployment writes it next to the site.
 * Plain types and one parser, with no DOM and no Node, so the console, the local server and the
 * CDK stack share them.
 */

/** A local identity the sign-in page offers: one of the local tokens. */
export interface LocalIdentity {
  readonly kind: "human" | "admin";
  readonly id: string;
}

/** Local mode: the API on the same origin, identities picked from a list, nothing authenticated. */
export interface LocalConsoleConfig {
  readonly mode: "local";
  readonly identities: readonly LocalIdentity[];
  /** How old, in minutes, the sign-in behind a critical approval may be. */
  readonly criticalSignInMaxAgeMin: number;
}

/** A deployment: the Cognito Hosted UI with PKCE, the API behind the same CloudFront origin. */
export interface CognitoConsoleConfig {
  readonly mode: "cognito";
  readonly region: string;
  /** The Hosted UI's base URL, e.g. `https://gates-abc.auth.eu-west-1.amazoncognito.com`. */
  readonly hostedUiUrl: string;
  /** The console's app client (public, authorization code with PKCE). */
  readonly clientId: string;
  readonly userPoolId: string;
  /** Trades the id token for AWS credentials that sign the routes shared with agents. */
  readonly identityPoolId: string;
  /** The API stage URL, which SigV4 signatures name; requests go to this origin's `/v1/`. */
  readonly apiUrl: string;
  /** How the shared routes authenticate: SigV4 with identity-pool credentials, or the id token. */
  readonly mixedRouteAuth: "iam" | "cognito";
  readonly criticalSignInMaxAgeMin: number;
}

export type ConsoleConfig = LocalConsoleConfig | CognitoConsoleConfig;

/** Where the console finds its configuration, relative to the site's root. */
export const CONSOLE_CONFIG_PATH = "/console-config.json";

/** The identities local mode offers, matching the tokens `npm start` prints. */
export const LOCAL_IDENTITIES: readonly LocalIdentity[] = [
  { kind: "human", id: "alice" },
  { kind: "human", id: "bob" },
  { kind: "admin", id: "admin" },
];

/** Checks a configuration read over the network; a malformed one stops the console with the reason. */
export function parseConsoleConfig(value: unknown): ConsoleConfig {
  const record = asRecord(value, "the configuration");
  const maxAge = record.criticalSignInMaxAgeMin;
  if (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 1)
    throw new TypeError("criticalSignInMaxAgeMin must be a whole number of minutes");
  if (record.mode === "local") {
    const identities = Array.isArray(record.identities) ? record.identities : [];
    return {
      mode: "local",
      criticalSignInMaxAgeMin: maxAge,
      identities: identities.map((entry) => {
        const identity = asRecord(entry, "an identity");
        if ((identity.kind !== "human" && identity.kind !== "admin") || typeof identity.id !== "string")
          throw new TypeError("an identity needs a kind (human or admin) and an id");
        return { kind: identity.kind, id: identity.id };
      }),
    };
  }
  if (record.mode === "cognito") {
    const text = (key: string) => {
      const field = record[key];
      if (typeof field !== "string" || field === "") throw new TypeError(`${key} must be a non-empty string`);
      return field;
    };
    const mixed = record.mixedRouteAuth;
    if (mixed !== "iam" && mixed !== "cognito")
      throw new TypeError('mixedRouteAuth must be "iam" or "cognito"');
    const hostedUiUrl = text("hostedUiUrl");
    // https, or plain http on this machine only (a Hosted UI stand-in under test).
    if (!/^(https:\/\/[^/\s]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)$/.test(hostedUiUrl))
      throw new TypeError("hostedUiUrl must be an https origin");
    return {
      mode: "cognito",
      region: text("region"),
      hostedUiUrl,
      clientId: text("clientId"),
      userPoolId: text("userPoolId"),
      identityPoolId: text("identityPoolId"),
      apiUrl: text("apiUrl"),
      mixedRouteAuth: mixed,
      criticalSignInMaxAgeMin: maxAge,
    };
  }
  throw new TypeError('mode must be "local" or "cognito"');
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
