import { Command } from "commander";
import { GatesApiError } from "../sdk/gates-api-error";
import { GatesClient } from "../sdk/gates-client";
import { cognitoInitiateAuth, freshLogin } from "./auth/cognito-login";
import { readCachedLogin, tokenCachePath, writeCachedLogin } from "./auth/token-cache";
import { CheckFailed, type CliIo, clean, Output, UsageError } from "./cli-io";

/** The default API: the local control plane of `npm start` / `gates dev`. */
export const DEFAULT_URL = "http://127.0.0.1:3000";

/** The global options every command sees. */
export interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
  readonly sigv4?: boolean;
}

/** What a command needs: its output, a client for the chosen API and the raw io. */
export interface CommandContext {
  readonly out: Output;
  readonly io: CliIo;
  readonly url: string;
  /** A client with the global credentials. */
  readonly client: GatesClient;
  /** A client for the same API with other credentials (doctor uses two). */
  clientWithToken(token: string): GatesClient;
}

/** The token of a cached `gates login`, refreshed (and re-cached) when it is about to expire. */
async function cachedToken(io: CliIo): Promise<string | undefined> {
  const path = tokenCachePath(io.env);
  const cached = await readCachedLogin(path);
  if (!cached) return undefined;
  // A failed refresh leaves the call without credentials; the 401 hint then says to log in again.
  const fresh = await freshLogin(io.initiateAuth ?? cognitoInitiateAuth, cached).catch(() => undefined);
  if (fresh?.refreshed) await writeCachedLogin(path, fresh.login);
  return fresh?.login.id_token;
}

/** Builds the context of one command run from the global options, the environment and the login cache. */
export async function commandContext(io: CliIo, options: GlobalOptions): Promise<CommandContext> {
  const url = options.url ?? io.env.GATES_URL ?? DEFAULT_URL;
  const token = options.token ?? io.env.GATES_TOKEN ?? (options.sigv4 ? undefined : await cachedToken(io));
  const auth = options.sigv4 ? { sigv4: {} } : token ? { token, ...identityPoolOf(io.env) } : undefined;
  return {
    out: new Output(io, options.json === true),
    io,
    url,
    client: new GatesClient({ url, auth }),
    clientWithToken: (t) => new GatesClient({ url, auth: { token: t } }),
  };
}

/**
 * On a deployed API the routes shared with agents take IAM signatures; a human's id token is
 * traded for the stack's identity-pool credentials when both pool ids are configured.
 */
function identityPoolOf(env: CliIo["env"]) {
  const identityPoolId = env.GATES_IDENTITY_POOL_ID;
  const userPoolId = env.GATES_USER_POOL_ID;
  return identityPoolId && userPoolId ? { identityPool: { identityPoolId, userPoolId } } : {};
}

/** A hint for the errors people hit most. */
function hintFor(error: GatesApiError): string | undefined {
  if (error.code === "TASK_NOT_FOUND" || error.code === "REQUEST_NOT_FOUND")
    return "run `gates pending` to see the requests you can decide";
  if (error.status === 401) return "set GATES_TOKEN or run `gates login`";
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
