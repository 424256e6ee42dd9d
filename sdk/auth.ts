import { Sha256 } from "@aws-crypto/sha256-js";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** AWS credentials as the signer wants them (or a provider of them). */
export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** How the client proves who it is. */
export type GatesAuth =
  /** A bearer token: a Cognito id token, or a local token such as `local:agent:agent-1`. */
  | { readonly token: string }
  /** SigV4 for IAM agents calling a deployed API; credentials default to the AWS chain. */
  | { readonly sigv4: { readonly region?: string; readonly credentials?: AwsCredentials } }
  | undefined;

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
    return async (r) => ({ ...r.headers, authorization: value });
  }
  const options = auth.sigv4;
  const signers = new Map<string, SignatureV4>();
  const signerFor = (host: string): SignatureV4 => {
    const region = options.region ?? regionFromHost(host) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error("SigV4 needs a region: pass sigv4.region or set AWS_REGION");
    let signer = signers.get(region);
    if (!signer) {
      signer = new SignatureV4({
        service: "execute-api",
        region,
        credentials: options.credentials ?? defaultProvider(),
        sha256: Sha256,
      });
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
