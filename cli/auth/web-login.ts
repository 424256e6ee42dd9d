import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  authorizeUrl,
  createPkcePair,
  exchangeCode,
  OAuthError,
  type OAuthTokens,
  randomToken,
  readCallback,
  unverifiedClaims,
} from "../../sdk/oauth-pkce";
import type { CachedLogin } from "./profile-store";

/** The loopback port the CLI's app client lists in its callback URLs (the stack's default). */
export const DEFAULT_WEB_LOGIN_PORT = 53682;

/** How long `gates login --web` waits for the browser to come back. */
export const WEB_LOGIN_TIMEOUT_MS = 5 * 60_000;

/** What a browser sign-in needs: the Hosted UI, the CLI's app client, and how to show the URL. */
export interface WebLoginOptions {
  /** The Hosted UI's base URL, e.g. `https://gates-abc.auth.eu-west-1.amazoncognito.com`. */
  readonly hostedUiUrl: string;
  readonly clientId: string;
  readonly region: string;
  /** @default {@link DEFAULT_WEB_LOGIN_PORT} */
  readonly port?: number;
  /** Opens the sign-in URL in a browser; the URL is printed besides, for another machine's browser. */
  readonly openBrowser: (url: string) => void | Promise<void>;
  /** Tells the human what to do. */
  readonly notify: (text: string) => void;
  /** @default {@link WEB_LOGIN_TIMEOUT_MS} */
  readonly timeoutMs?: number;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

/**
 * Signs in through the Hosted UI with authorization code and PKCE, as `gh auth login --web` does:
 * a one-shot server on the loopback interface receives the redirect, checks its `state`, and trades
 * the code for tokens. The Hosted UI's own session is ended first, so the human authenticates now
 * and the id token's `auth_time` is fresh enough for critical approvals.
 */
export async function loginWithBrowser(options: WebLoginOptions, now = Date.now): Promise<CachedLogin> {
  const port = options.port ?? DEFAULT_WEB_LOGIN_PORT;
  // Cognito accepts plain http only for localhost, so that is the registered name; the server
  // listens on the loopback address it resolves to.
  const redirectUri = `http://localhost:${port}/callback`;
  const client = {
    hostedUiUrl: options.hostedUiUrl,
    clientId: options.clientId,
    redirectUri,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const { verifier, challenge } = await createPkcePair();
  const state = randomToken(16);

  let settle: { resolve: (tokens: OAuthTokens) => void; reject: (error: Error) => void } | undefined;
  const done = new Promise<OAuthTokens>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A failure before the await below (a timeout while the browser opens) is not unhandled.
  done.catch(() => undefined);
  const server = createServer((req, res) => {
    void answerRedirect(req, res, state, async (code) => exchangeCode(client, code, verifier, now())).then(
      (outcome) => {
        if (outcome === undefined) return;
        if (outcome instanceof Error) settle?.reject(outcome);
        else settle?.resolve(outcome);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${port} is in use; free it or pass --port (one of the app client's callback URLs)`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  const timer = setTimeout(
    () =>
      settle?.reject(new Error("no sign-in came back from the browser in time; run gates login --web again")),
    options.timeoutMs ?? WEB_LOGIN_TIMEOUT_MS,
  );
  const onAbort = () => settle?.reject(new Error("cancelled"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const url = authorizeUrl(client, { challenge, state, fresh: true });
    options.notify(`Opening the sign-in page in your browser. If it does not open, visit:\n  ${url}`);
    await Promise.resolve(options.openBrowser(url)).catch(() => undefined);
    const tokens = await done;
    return toCachedLogin(tokens, options);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Answers one request to the loopback server. A redirect whose `state` is not this sign-in's is
 * turned away and waited past (any local process can send one); the real one ends the sign-in,
 * with tokens or with the Hosted UI's error. The browser is told the outcome in plain text.
 */
async function answerRedirect(
  req: IncomingMessage,
  res: ServerResponse,
  state: string,
  exchange: (code: string) => Promise<OAuthTokens>,
): Promise<OAuthTokens | Error | undefined> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const reply = (status: number, text: string) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(`${text}\n`);
  };
  if (req.method !== "GET" || url.pathname !== "/callback") {
    reply(404, "Not found.");
    return undefined;
  }
  if (url.searchParams.get("state") !== state) {
    reply(400, "This sign-in answer belongs to no sign-in that gates started here.");
    return undefined;
  }
  try {
    const tokens = await exchange(readCallback(url, state));
    reply(200, "Signed in to Approval Gates. You can close this tab and go back to the terminal.");
    return tokens;
  } catch (error) {
    const failure = error instanceof Error ? error : new OAuthError(String(error));
    reply(400, `The sign-in failed: ${failure.message}. Go back to the terminal.`);
    return failure;
  }
}

/** The tokens as a profile keeps them; the user name is the id token's, for display. */
function toCachedLogin(tokens: OAuthTokens, options: WebLoginOptions): CachedLogin {
  const claims = unverifiedClaims(tokens.idToken);
  const username = [claims["cognito:username"], claims.email, claims.sub].find(
    (v): v is string => typeof v === "string" && v !== "",
  );
  return {
    id_token: tokens.idToken,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
    expires_at: tokens.expiresAt,
    client_id: options.clientId,
    region: options.region,
    username: username ?? "unknown",
  };
}
