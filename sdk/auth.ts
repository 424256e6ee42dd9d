import type { SignatureV4 } from "@smithy/signature-v4";
import { ROUTES } from "../lambdas/routes";
import { lazyModule } from "./lazy-module";

// The AWS signer and credential providers load only for SigV4, never for a bearer token.
const signing = lazyModule(() => ({
  ...(require("@aws-crypto/sha256-js") as typeof import("@aws-crypto/sha256-js")),
  ...(require("@smithy/signature-v4") as typeof import("@smithy/signature-v4")),
}));
const credentialChain = lazyModule(
  () => require("@aws-sdk/credential-provider-node") as typeof import("@aws-sdk/credential-provider-node"),
);
const cognitoIdentity = lazyModule(
  () =>
    require("@aws-sdk/credential-provider-cognito-identity") as typeof import("@aws-sdk/credential-provider-cognito-identity"),
);

/** AWS credentials as the signer wants them (or a provider of them). */
export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** How the client proves who it is. */
export type GatesAuth =
  /**
   * A bearer token: a Cognito id token, or a local token such as `local:agent:agent-1`. With
   * `identityPool`, a human on a deployed API also signs the routes shared with agents (which
   * API Gateway guards with IAM) using the identity pool's credentials for that id token.
   */
  | { readonly token: string; readonly identityPool?: IdentityPoolAuth }
  /** SigV4 for IAM agents calling a deployed API; credentials default to the AWS chain. */
  | { readonly sigv4: { readonly region?: string; readonly credentials?: AwsCredentials } }
  | undefined;

/** The stack's Cognito identity pool, which trades a user-pool id token for AWS credentials. */
export interface IdentityPoolAuth {
  readonly identityPoolId: string;
  /** The user pool that issued the id token, e.g. `eu-west-1_AbC123`; its region is the pools'. */
  readonly userPoolId: string;
  /** @default the regional Cognito Identity endpoint */
  readonly endpoint?: string;
}

/** The parts of a request that authentication needs to see. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Adds credentials to a request's headers: a bearer header, or a SigV4 signature. */
export type Authenticator = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** The region in an API Gateway host name such as `abc.execute-api.eu-west-1.amazonaws.com`. */
function regionFromHost(host: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1];
}

/** Builds the authenticator once, so the credential chain is resolved and cached once. */
export function createAuthenticator(auth: GatesAuth, env: NodeJS.ProcessEnv = process.env): Authenticator {
  if (auth === undefined) return async (r) => r.headers;
  if ("token" in auth) {
    // A token pasted with its scheme still works.
    const value = /^bearer /i.test(auth.token) ? auth.token : `Bearer ${auth.token}`;
    const bearer: Authenticator = async (r) => ({ ...r.headers, authorization: value });
    if (!auth.identityPool) return bearer;
    const signed = sigv4Authenticator(
      identityPoolCredentials(auth.identityPool, value.slice(7)),
      undefined,
      env,
    );
    return async (r) => (isSharedRoute(r.method, r.url.pathname) ? signed(r) : bearer(r));
  }
  return sigv4Authenticator(
    auth.sigv4.credentials ?? credentialChain().defaultProvider(),
    auth.sigv4.region,
    env,
  );
}

/** Routes open to agents and humans alike, which API Gateway guards with IAM. */
const SHARED_ROUTES = ROUTES.filter(
  (r) =>
    r.principals !== "anyone" &&
    r.principals.some((p) => p === "agent") &&
    r.principals.some((p) => p === "human"),
).map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, "[^/]+")}$`) }));

/** Whether a request targets a shared route; the API's stage prefix (e.g. `/prod`) is ignored. */
export function isSharedRoute(method: string, pathname: string): boolean {
  const at = pathname.indexOf("/v1/");
  const path = at >= 0 ? pathname.slice(at) : pathname;
  return SHARED_ROUTES.some((r) => r.method === method && r.pattern.test(path));
}

/** Identity-pool credentials for a user-pool id token, fetched once and renewed before they expire. */
function identityPoolCredentials(pool: IdentityPoolAuth, idToken: string): AwsCredentials {
  const region = pool.userPoolId.split("_")[0] ?? "";
  const provider = cognitoIdentity().fromCognitoIdentityPool({
    clientConfig: { region, ...(pool.endpoint ? { endpoint: pool.endpoint } : {}) },
    identityPoolId: pool.identityPoolId,
    logins: { [`cognito-idp.${region}.amazonaws.com/${pool.userPoolId}`]: idToken },
  });
  let current: ReturnType<typeof provider> | undefined;
  return async () => {
    const held = current ? await current : undefined;
    if (held && (!held.expiration || held.expiration.getTime() - Date.now() > 5 * 60_000)) return held;
    current = provider();
    return current;
  };
}

function sigv4Authenticator(
  credentials: AwsCredentials,
  fixedRegion: string | undefined,
  env: NodeJS.ProcessEnv,
): Authenticator {
  const signers = new Map<string, SignatureV4>();
  const signerFor = (host: string): SignatureV4 => {
    const region = fixedRegion ?? regionFromHost(host) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error("SigV4 needs a region: pass sigv4.region or set AWS_REGION");
    let signer = signers.get(region);
    if (!signer) {
      const { SignatureV4: Signer, Sha256 } = signing();
      signer = new Signer({ service: "execute-api", region, credentials, sha256: Sha256 });
      signers.set(region, signer);
    }
    return signer;
  };
  return async (r) => {
    const query: Record<string, string> = {};
    for (const [key, value] of r.url.searchParams) query[key] = value;
    const signed = await signerFor(r.url.hostname).sign({
      method: r.method,
      protocol: r.url.protocol,
      hostname: r.url.hostname,
      ...(r.url.port ? { port: Number(r.url.port) } : {}),
      path: r.url.pathname,
      query,
      headers: { ...r.headers, host: r.url.host },
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    // fetch sets host itself and refuses to be told.
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}
