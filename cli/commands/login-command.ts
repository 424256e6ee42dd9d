import { lazyModule } from "../../sdk/lazy-module";
import { type PromptInput, promptHidden, readAll } from "../auth/read-password";
import type { CommandContext } from "../cli-context";
import { clean, UsageError } from "../cli-io";
import { originOf } from "../target";
import type { Register } from "./register";

// The Cognito client and the profile store load only for the commands that use them.
const cognito = lazyModule(() => require("../auth/cognito-login") as typeof import("../auth/cognito-login"));
const profiles = lazyModule(() => require("../auth/profile-store") as typeof import("../auth/profile-store"));

interface LoginOptions {
  username?: string;
  clientId?: string;
  region?: string;
  passwordStdin?: boolean;
  withToken?: boolean;
  identityPoolId?: string;
  userPoolId?: string;
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
  if (!options.username) throw new UsageError("give --username (Cognito) or --with-token (a token on stdin)");
  const clientId = options.clientId ?? io.env.GATES_COGNITO_CLIENT_ID ?? previous?.cognito?.client_id;
  const region =
    options.region ?? io.env.GATES_COGNITO_REGION ?? io.env.AWS_REGION ?? previous?.cognito?.region;
  if (!clientId) throw new UsageError("set --client-id or GATES_COGNITO_CLIENT_ID (the stack prints it)");
  if (!region) throw new UsageError("set --region or GATES_COGNITO_REGION");
  const password = await readSecret(ctx, options.passwordStdin === true, "Password: ");
  const signedIn = await cognito().loginWithPassword(io.initiateAuth ?? cognito().cognitoInitiateAuth, {
    clientId,
    region,
    username: options.username,
    password,
  });
  const path = await profiles().writeProfile(io.env, ctx.profileName, {
    ...base,
    login: signedIn,
    cognito: { client_id: clientId, region },
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
