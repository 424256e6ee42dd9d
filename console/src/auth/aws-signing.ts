import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CognitoConsoleConfig } from "../../config";
import type { ApiRequest, Authorizer } from "../api";

/** Temporary AWS credentials from the identity pool. */
interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Renew credentials this long before they expire, so none expires mid-request. */
const EARLY_MS = 5 * 60_000;

/**
 * Signs requests to the routes API Gateway guards with IAM (those shared with agents), using the
 * identity pool's credentials for the signed-in human's id token. The signature names the API's
 * own host and stage path, which is what API Gateway sees once CloudFront has passed the request
 * on; the browser sends it to the console's origin. Loaded only by a deployed console.
 */
export function identityPoolSigner(
  config: CognitoConsoleConfig,
  idToken: () => Promise<string>,
  fetchFn: typeof fetch = fetch,
): Authorizer {
  const api = new URL(config.apiUrl);
  const stagePath = api.pathname.replace(/\/+$/, "");
  const login = `cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
  const endpoint = `https://cognito-identity.${config.region}.amazonaws.com/`;
  let held: { token: string; credentials: Promise<AwsCredentials> } | undefined;

  const cognitoIdentity = async (target: string, body: Record<string, unknown>) => {
    const response = await fetchFn(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityService.${target}`,
      },
      body: JSON.stringify(body),
      redirect: "error",
      credentials: "omit",
    });
    const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw new Error(`the identity pool refused ${target} (HTTP ${response.status})`);
    return parsed;
  };

  const fetchCredentials = async (token: string): Promise<AwsCredentials> => {
    const logins = { [login]: token };
    const { IdentityId } = await cognitoIdentity("GetId", {
      IdentityPoolId: config.identityPoolId,
      Logins: logins,
    });
    if (typeof IdentityId !== "string") throw new Error("the identity pool gave no identity");
    const { Credentials } = await cognitoIdentity("GetCredentialsForIdentity", {
      IdentityId,
      Logins: logins,
    });
    const c = (Credentials ?? {}) as Record<string, unknown>;
    if (
      typeof c.AccessKeyId !== "string" ||
      typeof c.SecretKey !== "string" ||
      typeof c.SessionToken !== "string"
    )
      throw new Error("the identity pool gave no credentials");
    const expiration = typeof c.Expiration === "number" ? c.Expiration * 1000 : Date.now() + 15 * 60_000;
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretKey,
      sessionToken: c.SessionToken,
      expiresAt: expiration,
    };
  };

  const credentials = async (): Promise<AwsCredentials> => {
    const token = await idToken();
    if (held && held.token === token) {
      const current = await held.credentials.catch(() => undefined);
      if (current && current.expiresAt - EARLY_MS > Date.now()) return current;
    }
    held = { token, credentials: fetchCredentials(token) };
    return held.credentials;
  };

  const signer = new SignatureV4({
    service: "execute-api",
    region: config.region,
    sha256: Sha256,
    credentials: async () => {
      const c = await credentials();
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
    },
  });

  return async (request: ApiRequest) => {
    const query: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(request.query)) query[key] = value;
    const signed = await signer.sign({
      method: request.method,
      protocol: "https:",
      hostname: api.hostname,
      path: `${stagePath}${request.path}`,
      query,
      headers: {
        host: api.host,
        ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    // The browser sets Host itself; the rest of the signed headers go as signed.
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}
