import { lazyModule } from "../../sdk/lazy-module";
import { type PromptInput, promptHidden, readAll } from "../auth/read-password";
import type { CommandContext } from "../cli-context";
import { clean, UsageError } from "../cli-io";
import { originOf } from "../target";
import type { Register } from "./register";

// The Cognito client and the profile store load only for the commands that use them.
const cognito = lazyModule(() => require("../auth/cognito-login") as typeof import("../auth/cognito-login"));
const profiles = lazyModule(() => require("../auth/profile-store") as typeof import("../auth/profile-store"));
const web = lazyModule(() => require("../auth/web-login") as typeof import("../auth/web-login"));

interface LoginOptions {
  username?: string;
  clientId?: string;
  region?: string;
  passwordStdin?: boolean;
  withToken?: boolean;
  identityPoolId?: string;
  userPoolId?: string;
  web?: boolean;
  hostedUiUrl?: string;
  port?: string;
  browser?: boolean;
}

/** Reads a secret: all of stdin with a flag, else a hidden prompt on a terminal. */
async function readSecret(ctx: CommandContext, fromStdin: boolean, prompt: string): Promise<string> {
  const stdin: PromptInput | undefined = ctx.io.stdin;
  if (!stdin) throw new UsageError("no input to read from");
  if (fromStdin) return readAll(stdin);
  if (stdin.isTTY) return promptHidden(stdin, (t) => ctx.io.stderr.write(t), prompt);
  throw new UsageError("stdin is not a terminal: pass --password-stdin");
}

/** `login`: binds a profile to the API URL and the credentials for it. */
async function login(ctx: CommandContext, options: LoginOptions): Promise<void> {
  const { io, out } = ctx;
  // Settings of the same API carry over; those of another origin are not this API's.
  const previous = ctx.profile && originOf(ctx.profile.url) === originOf(ctx.url) ? ctx.profile : undefined;
  const identityPoolId = options.identityPoolId ?? io.env.GATES_IDENTITY_POOL_ID;
  const userPoolId = options.userPoolId ?? io.env.GATES_USER_POOL_ID;
  const identity_pool =
    identityPoolId && userPoolId
      ? { identity_pool_id: identityPoolId, user_pool_id: userPoolId }
      : previous?.identity_pool;
  const base = { url: ctx.url, ...(identity_pool ? { identity_pool } : {}) };
  if (options.withToken) {
    const token = (await readSecret(ctx, true, "")).trim();
    if (!token) throw new UsageError("--with-token reads the token from stdin, and stdin was empty");
    const path = await profiles().writeProfile(io.env, ctx.profileName, { ...base, token });
    if (out.json) return out.data({ profile: ctx.profileName, url: ctx.url, path });
    return out.line(`Saved a token for ${clean(ctx.url)} in profile ${ctx.profileName} (${path}).`);
  }
  const clientId = options.clientId ?? io.env.GATES_COGNITO_CLIENT_ID ?? previous?.cognito?.client_id;
  const region =
    options.region ?? io.env.GATES_COGNITO_REGION ?? io.env.AWS_REGION ?? previous?.cognito?.region;
  if (!options.web && !options.username)
    throw new UsageError(
      "give --username (Cognito), --web (the Hosted UI) or --with-token (a token on stdin)",
    );
  if (!clientId) throw new UsageError("set --client-id or GATES_COGNITO_CLIENT_ID (the stack prints it)");
  if (!region) throw new UsageError("set --region or GATES_COGNITO_REGION");
  const hostedUiUrl = options.web
    ? (options.hostedUiUrl ?? io.env.GATES_HOSTED_UI_URL ?? previous?.cognito?.hosted_ui_url)
    : undefined;
  const signedIn = options.web
    ? await browserLogin(ctx, { clientId, region, hostedUiUrl, port: options.port, browser: options.browser })
    : await passwordLogin(ctx, { clientId, region, username: options.username ?? "", options });
  const cognitoSettings = {
    client_id: clientId,
    region,
    ...(hostedUiUrl ? { hosted_ui_url: hostedUiUrl } : {}),
  };
  const path = await profiles().writeProfile(io.env, ctx.profileName, {
    ...base,
    login: signedIn,
    cognito: cognitoSettings,
  });
  if (out.json)
    return out.data({
      profile: ctx.profileName,
      url: ctx.url,
      username: signedIn.username,
      expires_at: new Date(signedIn.expires_at).toISOString(),
      path,
    });
  out.line(
    `Signed in to ${clean(ctx.url)} as ${clean(signedIn.username)} (profile ${ctx.profileName}); the token is refreshed automatically.`,
  );
}

/** The password flow, answering a first sign-in's new password or an MFA code when Cognito asks. */
async function passwordLogin(
  ctx: CommandContext,
  input: { clientId: string; region: string; username: string; options: LoginOptions },
) {
  const { io } = ctx;
  const fromStdin = input.options.passwordStdin === true;
  // From stdin, the password is the first line and the answers to Cognito's questions the next ones.
  const lines = fromStdin ? (await readSecret(ctx, true, "")).split(/\r?\n/) : [];
  const next = async (prompt: string, what: string) => {
    if (!fromStdin) return readSecret(ctx, false, prompt);
    const line = lines.shift();
    if (line === undefined || line === "")
      throw new UsageError(`Cognito asks for ${what}: give it on the next line of stdin`);
    return line;
  };
  const password = fromStdin ? (lines.shift() ?? "") : await readSecret(ctx, false, "Password: ");
  const answers = {
    newPassword: async () => {
      io.stderr.write("This is your first sign-in: choose a new password.\n");
      const chosen = await next("New password: ", "a new password (first sign-in)");
      if (!fromStdin && (await next("Repeat the new password: ", "")) !== chosen)
        throw new UsageError("the two new passwords differ; run gates login again");
      return chosen;
    },
    mfaCode: (kind: "TOTP" | "SMS") =>
      next(
        kind === "TOTP" ? "Code from your authenticator app: " : "Code from the text message: ",
        `an MFA code (${kind})`,
      ),
  };
  return cognito().loginWithPassword(
    io.initiateAuth ?? cognito().cognitoInitiateAuth,
    { clientId: input.clientId, region: input.region, username: input.username, password },
    { respond: io.respondToAuthChallenge ?? cognito().cognitoRespondToAuthChallenge, answers },
  );
}

/** `--web`: the Hosted UI in a browser, back to a loopback port. */
async function browserLogin(
  ctx: CommandContext,
  input: {
    clientId: string;
    region: string;
    hostedUiUrl?: string | undefined;
    port?: string | undefined;
    browser?: boolean | undefined;
  },
) {
  const { io } = ctx;
  if (!input.hostedUiUrl || !/^https?:\/\/[^/\s]+\/?$/.test(input.hostedUiUrl))
    throw new UsageError(
      "set --hosted-ui-url or GATES_HOSTED_UI_URL to the Hosted UI's base URL (the stack's HostedUiUrl output)",
    );
  const port = input.port === undefined ? undefined : Number(input.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1024 && port <= 65535))
    throw new UsageError("--port must be a port number from 1024 to 65535");
  return web().loginWithBrowser({
    hostedUiUrl: input.hostedUiUrl,
    clientId: input.clientId,
    region: input.region,
    ...(port !== undefined ? { port } : {}),
    openBrowser: input.browser === false ? () => undefined : (io.openBrowser ?? openInBrowser),
    notify: (text) => io.stderr.write(`${text}\n`),
    ...(io.signal ? { signal: io.signal } : {}),
  });
}

/** The platform's way to open a URL; when there is none (a server), the printed URL remains. */
async function openInBrowser(url: string): Promise<void> {
  const { spawn } = await import("node:child_process");
  const [command, ...args] =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["rundll32", "url.dll,FileProtocolHandler", url]
        : ["xdg-open", url];
  const child = spawn(command as string, args, { stdio: "ignore", detached: true });
  child.on("error", () => undefined);
  child.unref();
}

/** `logout`: forgets the profile's credentials and revokes a Cognito refresh token. */
async function logout(ctx: CommandContext): Promise<void> {
  const { io, out, profile, profileName } = ctx;
  if (!profile || (!profile.login && !profile.token)) {
    if (out.json) return out.data({ profile: profileName, signed_out: false });
    return out.line(`Profile ${profileName} holds no credentials.`);
  }
  const { login: held, token: _token, ...rest } = profile;
  await profiles().writeProfile(io.env, profileName, rest);
  let revoked: string | undefined;
  if (held?.refresh_token) {
    // Forgetting locally always works; revoking needs Cognito, so its failure is reported, not fatal.
    const revoke = io.revokeToken ?? cognito().cognitoRevokeToken;
    revoked = await revoke({ token: held.refresh_token, clientId: held.client_id }, held.region).then(
      () => "revoked",
      (error: unknown) => `not revoked (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (out.json)
    return out.data({
      profile: profileName,
      signed_out: true,
      ...(revoked ? { refresh_token: revoked } : {}),
    });
  out.line(`Signed out of profile ${profileName} (${clean(profile.url)}).`);
  if (revoked) out.line(`The refresh token was ${clean(revoked)}.`);
}

function describeCredentials(ctx: CommandContext): Record<string, unknown> {
  const c = ctx.credentials;
  switch (c.kind) {
    case "token":
      return { source: c.source };
    case "login":
      return {
        source: "profile",
        username: c.login.username,
        expires_at: new Date(c.login.expires_at).toISOString(),
      };
    case "sigv4":
      return { source: "sigv4" };
    case "none":
      return { source: "none" };
  }
}

/** `whoami`: the profile, the URL, where credentials come from and who the server says you are. */
async function whoami(ctx: CommandContext): Promise<void> {
  const { out } = ctx;
  const identity = await ctx.client.whoami();
  const credentials = describeCredentials(ctx);
  if (out.json) return out.data({ profile: ctx.profileName, url: ctx.url, credentials, identity });
  const from =
    ctx.credentials.kind === "login"
      ? `Cognito sign-in of ${credentials.username} (profile), expires ${credentials.expires_at}`
      : String(credentials.source);
  const rows: [string, string][] = [
    ["profile", ctx.profileName],
    ["url", ctx.url],
    ["credentials", from],
    ["you are", `${identity.kind} ${identity.id}${identity.admin ? " (admin)" : ""}`],
  ];
  for (const [key, value] of rows) out.line(`${key.padEnd(12)}${clean(value)}`);
}

/** `profiles`: each saved profile with its URL and whether it holds credentials. */
async function listProfiles(ctx: CommandContext): Promise<void> {
  const names = await profiles().listProfiles(ctx.io.env);
  const rows = await Promise.all(
    names.map(async (name) => {
      const p = await profiles().readProfile(ctx.io.env, name);
      const holds = p?.login ? `signed in as ${p.login.username}` : p?.token ? "token" : "no credentials";
      return { name, url: p?.url ?? "", credentials: holds, current: name === ctx.profileName };
    }),
  );
  if (ctx.out.json) return ctx.out.data({ items: rows });
  if (rows.length === 0)
    return ctx.out.line("No profiles yet; gates login --profile NAME --url URL makes one.");
  ctx.out.line(
    ctx.out.table(
      ["", "PROFILE", "URL", "CREDENTIALS"],
      rows.map((r) => [r.current ? "*" : "", r.name, clean(r.url), r.credentials]),
    ),
  );
}

/** `login`, `logout`, `whoami`, `profiles`. */
export const registerLoginCommand: Register = (program, action) => {
  program
    .command("login")
    .description("bind a profile to the API URL and sign in (Cognito) or save a token for it")
    .option("--username <name>", "your Cognito user name or email")
    .option("--client-id <id>", "the Cognito app client id (env GATES_COGNITO_CLIENT_ID)")
    .option("--region <region>", "the user pool's region (env GATES_COGNITO_REGION or AWS_REGION)")
    .option("--password-stdin", "read the password from stdin instead of prompting")
    .option("--with-token", "save the token read from stdin instead, e.g. local:human:alice")
    .option("--identity-pool-id <id>", "the stack's identity pool (env GATES_IDENTITY_POOL_ID)")
    .option("--user-pool-id <id>", "the stack's user pool (env GATES_USER_POOL_ID)")
    .option("--web", "sign in through the Hosted UI in a browser (SSO, MFA), back to a loopback port")
    .option("--hosted-ui-url <url>", "the Hosted UI's base URL, for --web (env GATES_HOSTED_UI_URL)")
    .option("--port <port>", "the loopback port for --web, one of the app client's callback URLs", undefined)
    .option("--no-browser", "with --web, print the sign-in URL without opening a browser")
    .action(action(login));

  program
    .command("logout")
    .description("forget the profile's credentials (a Cognito refresh token is revoked)")
    .action(action(logout));

  program
    .command("whoami")
    .description("the profile, the API and who the server says you are")
    .action(action(whoami));

  program.command("profiles").description("the saved profiles and their APIs").action(action(listProfiles));
};
