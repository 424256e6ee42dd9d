import { cognitoInitiateAuth, loginWithPassword } from "../auth/cognito-login";
import { type PromptInput, promptHidden, readAll } from "../auth/read-password";
import { tokenCachePath, writeCachedLogin } from "../auth/token-cache";
import { UsageError } from "../cli-io";
import type { Register } from "./register";

interface LoginOptions {
  username: string;
  clientId?: string;
  region?: string;
  passwordStdin?: boolean;
}

/** `login`: Cognito user/password sign-in; the tokens are cached for later commands and refreshed. */
export const registerLoginCommand: Register = (program, action) => {
  program
    .command("login")
    .description("sign in with a Cognito user and password; later commands use the cached token")
    .requiredOption("--username <name>", "your Cognito user name or email")
    .option("--client-id <id>", "the Cognito app client id (env GATES_COGNITO_CLIENT_ID)")
    .option("--region <region>", "the user pool's region (env GATES_COGNITO_REGION or AWS_REGION)")
    .option("--password-stdin", "read the password from stdin instead of prompting")
    .action(
      action(async (ctx, options: LoginOptions) => {
        const { io, out } = ctx;
        const clientId = options.clientId ?? io.env.GATES_COGNITO_CLIENT_ID;
        const region = options.region ?? io.env.GATES_COGNITO_REGION ?? io.env.AWS_REGION;
        if (!clientId)
          throw new UsageError("set --client-id or GATES_COGNITO_CLIENT_ID (the stack prints it)");
        if (!region) throw new UsageError("set --region or GATES_COGNITO_REGION");
        const stdin: PromptInput | undefined = io.stdin;
        if (!stdin) throw new UsageError("no input to read the password from");
        let password: string;
        if (options.passwordStdin) password = await readAll(stdin);
        else if (stdin.isTTY) password = await promptHidden(stdin, (t) => io.stderr.write(t), "Password: ");
        else throw new UsageError("stdin is not a terminal: pass --password-stdin");
        const login = await loginWithPassword(io.initiateAuth ?? cognitoInitiateAuth, {
          clientId,
          region,
          username: options.username,
          password,
        });
        const path = tokenCachePath(io.env);
        await writeCachedLogin(path, login);
        if (out.json)
          return out.data({
            username: login.username,
            expires_at: new Date(login.expires_at).toISOString(),
            path,
          });
        out.line(`Signed in as ${login.username}; token cached in ${path} (refreshed automatically).`);
      }),
    );
};
