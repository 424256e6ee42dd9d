import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An app client the fake knows: its id and the callback URLs it accepts, matched exactly. */
export interface FakeClient {
  readonly clientId: string;
  readonly callbackUrls: readonly string[];
}

/** One authorization the fake handed out, as a real Hosted UI would remember it. */
interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly method: string;
  used: boolean;
}

/** A running fake of the Cognito Hosted UI's OAuth endpoints. */
export interface FakeHostedUi {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** The query of every authorize (or logout-then-sign-in) request, in order, with its path. */
  readonly authorizations: { path: string; params: Record<string, string> }[];
  /** Every form posted to the token endpoint, in order. */
  readonly tokenRequests: Record<string, string>[];
  /** The user who signs in next, and when they authenticate (`auth_time`, epoch seconds). */
  user: { sub: string; username: string; email: string; authTime?: number };
  /** Makes the next sign-in end with `error=<code>`, as when the user cancels. */
  refuseNext?: string;
  stop(): Promise<void>;
}

/**
 * A fake of the Hosted UI for PKCE tests: `/oauth2/authorize` (and `/logout` with sign-in
 * parameters, which a real Hosted UI turns into a fresh sign-in) signs the configured user in at
 * once and redirects back with a code; `/oauth2/token` redeems a code once, for its own client and
 * redirect URI, and only with the verifier whose S256 challenge came with it. Id tokens are
 * unsigned JWTs carrying the claims the clients read.
 */
export async function startFakeHostedUi(clients: readonly FakeClient[]): Promise<FakeHostedUi> {
  const codes = new Map<string, IssuedCode>();
  let counter = 0;
  const fake: Omit<FakeHostedUi, "url" | "stop"> = {
    authorizations: [],
    tokenRequests: [],
    user: { sub: "sub-alice", username: "alice", email: "alice@example.com" },
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const json = (status: number, body: unknown) => {
      // Like Cognito's, the token endpoint answers pages of any origin (a console in a browser).
      res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && (url.pathname === "/oauth2/authorize" || url.pathname === "/logout")) {
      const params = Object.fromEntries(url.searchParams);
      fake.authorizations.push({ path: url.pathname, params });
      const client = clients.find((c) => c.clientId === params.client_id);
      const redirectUri = params.redirect_uri ?? "";
      if (!client?.callbackUrls.includes(redirectUri) || params.response_type !== "code") {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("redirect_mismatch");
        return;
      }
      const back = new URL(redirectUri);
      if (params.state) back.searchParams.set("state", params.state);
      if (fake.refuseNext) {
        back.searchParams.set("error", fake.refuseNext);
        back.searchParams.set("error_description", "the user said no");
        delete fake.refuseNext;
      } else {
        const code = `code-${++counter}`;
        codes.set(code, {
          clientId: client.clientId,
          redirectUri,
          challenge: params.code_challenge ?? "",
          method: params.code_challenge_method ?? "",
          used: false,
        });
        back.searchParams.set("code", code);
      }
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/oauth2/token") {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      req.on("end", () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        fake.tokenRequests.push(form);
        if (req.headers["content-type"] !== "application/x-www-form-urlencoded")
          return json(400, { error: "invalid_request" });
        if (form.grant_type === "refresh_token") {
          return form.refresh_token === "refresh-token"
            ? json(200, { id_token: idToken(fake.user), access_token: "access", expires_in: 3600 })
            : json(400, { error: "invalid_grant" });
        }
        const issued = codes.get(form.code ?? "");
        const verifier = form.code_verifier ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (
          form.grant_type !== "authorization_code" ||
          !issued ||
          issued.used ||
          issued.clientId !== form.client_id ||
          issued.redirectUri !== form.redirect_uri ||
          issued.method !== "S256" ||
          issued.challenge !== challenge
        )
          return json(400, { error: "invalid_grant" });
        issued.used = true;
        return json(200, {
          id_token: idToken(fake.user),
          access_token: "access",
          refresh_token: "refresh-token",
          expires_in: 3600,
          token_type: "Bearer",
        });
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeHostedUi;
}

/** An unsigned JWT with the claims of a Cognito id token. */
function idToken(user: FakeHostedUi["user"]): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const authTime = user.authTime ?? Math.floor(Date.now() / 1000);
  return [
    part({ alg: "none", typ: "JWT" }),
    part({
      sub: user.sub,
      "cognito:username": user.username,
      email: user.email,
      auth_time: authTime,
      exp: authTime + 3600,
      token_use: "id",
    }),
    "",
  ].join(".");
}
