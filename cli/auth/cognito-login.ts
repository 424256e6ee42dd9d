import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { CachedLogin } from "./profile-store";

/** Sends one InitiateAuth call; tests pass a fake. */
export type InitiateAuth = (
  input: InitiateAuthCommand["input"],
  region: string,
) => Promise<InitiateAuthCommandOutput>;

/** The real Cognito call, with a client per call because a login is a one-off. */
export const cognitoInitiateAuth: InitiateAuth = (input, region) =>
  new CognitoIdentityProviderClient({ region }).send(new InitiateAuthCommand(input));

/** Revokes a refresh token (and the tokens issued from it); tests pass a fake. */
export type RevokeToken = (input: { token: string; clientId: string }, region: string) => Promise<void>;

/** The real Cognito call behind `gates logout`. */
export const cognitoRevokeToken: RevokeToken = async (input, region) => {
  await new CognitoIdentityProviderClient({ region }).send(
    new RevokeTokenCommand({ Token: input.token, ClientId: input.clientId }),
  );
};

/** Refresh a little early so a token never expires mid-request. */
const EARLY_MS = 60_000;

function toLogin(
  out: InitiateAuthCommandOutput,
  base: { client_id: string; region: string; username: string; refresh_token?: string },
  now: number,
): CachedLogin {
  const result = out.AuthenticationResult;
  if (!result?.IdToken) {
    const challenge = out.ChallengeName
      ? ` (Cognito asks for ${out.ChallengeName}, which gates login cannot answer)`
      : "";
    throw new Error(`Cognito returned no id token${challenge}`);
  }
  const refresh = result.RefreshToken ?? base.refresh_token;
  return {
    id_token: result.IdToken,
    ...(refresh ? { refresh_token: refresh } : {}),
    expires_at: now + (result.ExpiresIn ?? 3600) * 1000,
    client_id: base.client_id,
    region: base.region,
    username: base.username,
  };
}

/** Signs in with USER_PASSWORD_AUTH (the app client must allow it and have no secret). */
export async function loginWithPassword(
  send: InitiateAuth,
  options: { clientId: string; region: string; username: string; password: string },
  now = Date.now(),
): Promise<CachedLogin> {
  const out = await send(
    {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: options.clientId,
      AuthParameters: { USERNAME: options.username, PASSWORD: options.password },
    },
    options.region,
  );
  return toLogin(
    out,
    { client_id: options.clientId, region: options.region, username: options.username },
    now,
  );
}

/** The cached login as is while fresh; otherwise refreshed, or undefined when it cannot be. */
export async function freshLogin(
  send: InitiateAuth,
  login: CachedLogin,
  now = Date.now(),
): Promise<{ login: CachedLogin; refreshed: boolean } | undefined> {
  if (login.expires_at - EARLY_MS > now) return { login, refreshed: false };
  if (!login.refresh_token) return undefined;
  const out = await send(
    {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: login.client_id,
      AuthParameters: { REFRESH_TOKEN: login.refresh_token },
    },
    login.region,
  );
  return { login: toLogin(out, { ...login, refresh_token: login.refresh_token }, now), refreshed: true };
}
