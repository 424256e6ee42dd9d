import { Command } from "commander";
import { GatesApiError } from "../sdk/gates-api-error";
import type { GatesClient } from "../sdk/gates-client";
import { lazyModule } from "../sdk/lazy-module";
import type { CachedLogin, Profile } from "./auth/profile-store";
import { CheckFailed, type CliIo, clean, Output, UsageError } from "./cli-io";
import { type Credentials, originOf, resolveTarget } from "./target";

// Loaded by the first command that talks to an API, not by `--version` or `--help`.
const sdk = lazyModule(() => require("../sdk/gates-client") as typeof import("../sdk/gates-client"));
const cognito = lazyModule(() => require("./auth/cognito-login") as typeof import("./auth/cognito-login"));
const profiles = lazyModule(() => require("./auth/profile-store") as typeof import("./auth/profile-store"));

export { DEFAULT_URL } from "./target";

/** The global options every command sees. */
export interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
  readonly sigv4?: boolean;
  readonly profile?: string;
}

/** What a command needs: its output, a client for the chosen API and the raw io. */
export interface CommandContext {
  readonly out: Output;
  readonly io: CliIo;
  readonly url: string;
  /** The profile in use and what it holds (undefined when nothing is saved under its name). */
  readonly profileName: string;
  readonly profile: Profile | undefined;
  /** Where the credentials come from. */
  readonly credentials: Credentials;
  /** A client with the chosen credentials; refuses (exit 2) when the profile's are withheld. */
  readonly client: GatesClient;
  /** A client for the same API with other credentials (doctor uses two). */
  clientWithToken(token: string): GatesClient;
}

/** A cached sign-in as is while fresh, else refreshed and saved back to its profile. */
async function freshToken(io: CliIo, name: string, profile: Profile, login: CachedLogin) {
  // A failed refresh leaves the call without credentials; the 401 hint then says to log in again.
  const fresh = await cognito()
    .freshLogin(io.initiateAuth ?? cognito().cognitoInitiateAuth, login)
    .catch(() => undefined);
  if (fresh?.refreshed) await profiles().writeProfile(io.env, name, { ...profile, login: fresh.login });
  return fresh?.login.id_token;
}

/** The profile named by `--profile` or `GATES_PROFILE`, else the default one. */
async function chosenProfile(io: CliIo, options: GlobalOptions) {
  const named = options.profile ?? io.env.GATES_PROFILE;
  const name = named ?? profiles().DEFAULT_PROFILE;
  if (!profiles().PROFILE_NAME.test(name))
    throw new UsageError(`profile names are letters, digits, '-' and '_'; not ${JSON.stringify(name)}`);
  const profile = await profiles().readProfile(io.env, name);
  // A profile that is named must exist before the API is called; `login` is what creates it.
  const missing =
    !profile && named !== undefined && name !== profiles().DEFAULT_PROFILE
      ? `no profile "${name}"; create it with gates --profile ${name} --url <API URL> login …`
      : undefined;
  return { name, profile, missing };
}

/** Builds the context of one command run from the global options, the environment and the profile. */
export async function commandContext(io: CliIo, options: GlobalOptions): Promise<CommandContext> {
  const { name, profile, missing } = await chosenProfile(io, options);
  const target = resolveTarget({ flags: options, env: io.env, profileName: name, profile });
  if (originOf(target.url) === undefined) throw new UsageError(`${target.url} is not a URL`);
  const { url, credentials } = target;
  const refusal = missing ?? target.withheld;
  // A sign-in is refreshed only when it is going to be sent.
  const token =
    credentials.kind === "token"
      ? credentials.token
      : credentials.kind === "login" && profile && !refusal
        ? await freshToken(io, name, profile, credentials.login)
        : undefined;
  const auth =
    credentials.kind === "sigv4"
      ? { sigv4: {} }
      : token
        ? { token, ...identityPoolOf(io.env, profile) }
        : undefined;
  let client: GatesClient | undefined;
  return {
    out: new Output(io, options.json === true),
    io,
    url,
    profileName: name,
    profile,
    credentials,
    get client() {
      if (refusal) throw new UsageError(refusal);
      client ??= new (sdk().GatesClient)({ url, auth });
      return client;
    },
    clientWithToken: (t) => new (sdk().GatesClient)({ url, auth: { token: t } }),
  };
}

/**
 * On a deployed API the routes shared with agents take IAM signatures; a human's id token is
 * traded for the stack's identity-pool credentials when both pool ids are configured.
 */
function identityPoolOf(env: CliIo["env"], profile: Profile | undefined) {
  const identityPoolId = env.GATES_IDENTITY_POOL_ID ?? profile?.identity_pool?.identity_pool_id;
  const userPoolId = env.GATES_USER_POOL_ID ?? profile?.identity_pool?.user_pool_id;
  return identityPoolId && userPoolId ? { identityPool: { identityPoolId, userPoolId } } : {};
}

/** A hint for the errors people hit most. */
function hintFor(error: GatesApiError): string | undefined {
  if (error.code === "TASK_NOT_FOUND" || error.code === "REQUEST_NOT_FOUND")
    return "run `gates pending` to see the requests you can decide";
  if (error.status === 401) return "set GATES_TOKEN or run `gates login` (`gates whoami` shows what is sent)";
  if (error.code === "REAUTHENTICATION_REQUIRED")
    return "sign in again (`gates login`, or `gates login --web`) and retry; a refreshed token keeps its old sign-in time";
  if (error.status === 403) return "this needs another kind of caller (human, admin or agent)";
  if (error.code === "NETWORK_ERROR")
    return "is the control plane running? start one with `gates dev` or set GATES_URL";
  if (error.status === 429 && error.retryAfterS) return `try again in ${error.retryAfterS} s`;
  return undefined;
}

/** The exit code for a failure, after printing it the way scripts and humans expect. */
export function reportFailure(out: Output, error: unknown): number {
  if (error instanceof UsageError) {
    out.error(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof CheckFailed) return 1;
  if (error instanceof GatesApiError) {
    if (out.json) {
      out.error(
        JSON.stringify({
          error: {
            status: error.status,
            code: error.code,
            message: error.message,
            request_id: error.requestId,
          },
        }),
      );
    } else {
      out.error(`error ${clean(error.code)}: ${clean(error.message)}`);
      const hint = hintFor(error);
      if (hint) out.error(`hint: ${hint}`);
      if (error.requestId) out.error(`request id: ${clean(error.requestId)}`);
    }
    return 1;
  }
  out.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

/** Runs a command body with its context, turning thrown errors into exit codes. */
export type ActionBody<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<void>;

/** Wires an action so that it reads the global options and records the exit code. */
export function bindAction<A extends unknown[]>(
  io: CliIo,
  setExit: (code: number) => void,
  body: ActionBody<A>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // commander passes the positionals, the options, then the command itself.
    const command = args.at(-1);
    if (!(command instanceof Command)) throw new Error("commander did not pass the command to its action");
    const globals = command.optsWithGlobals<GlobalOptions>();
    const out = new Output(io, globals.json === true);
    try {
      const ctx = await commandContext(io, globals);
      await body(ctx, ...(args.slice(0, -1) as A));
    } catch (error) {
      setExit(reportFailure(out, error));
    }
  };
}
