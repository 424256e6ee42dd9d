import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
  type RespondToAuthChallengeCommandOutput,
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

/** Answers a challenge of a sign-in in progress (a first password, an MFA code); tests pass a fake. */
export type RespondToAuthChallenge = (
  input: RespondToAuthChallengeCommand["input"],
  region: string,
) => Promise<RespondToAuthChallengeCommandOutput>;

/** The real Cognito call behind the challenges of `gates login`. */
export const cognitoRespondToAuthChallenge: RespondToAuthChallenge = (input, region) =>
  new CognitoIdentityProviderClient({ region }).send(new RespondToAuthChallengeCommand(input));

/** What the human answers when Cognito asks for more than the password. */
export interface ChallengeAnswers {
  /** A new password, on the first sign-in of a user an administrator created. */
  newPassword(): Promise<string>;
  /** The one-time code of an authenticator app (`TOTP`) or a text message (`SMS`). */
  mfaCode(kind: "TOTP" | "SMS"): Promise<string>;
}

/** The challenges `gates login` answers, and how each answer goes back to Cognito. */
const CHALLENGE_RESPONSES: Readonly<
  Record<string, (answers: ChallengeAnswers) => Promise<Record<string, string>>>
> = {
  NEW_PASSWORD_REQUIRED: async (a) => ({ NEW_PASSWORD: await a.newPassword() }),
  SOFTWARE_TOKEN_MFA: async (a) => ({ SOFTWARE_TOKEN_MFA_CODE: await a.mfaCode("TOTP") }),
  SMS_MFA: async (a) => ({ SMS_MFA_CODE: await a.mfaCode("SMS") }),
};

/** A first sign-in may ask for a new password and then an MFA code; more than that is not a login. */
const MAX_CHALLENGES = 3;

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
  out: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput,
  base: { client_id: string; region: string; username: string; refresh_token?: string },
  now: number,
): CachedLogin {
  const result = out.AuthenticationResult;
  if (!result?.IdToken) {
    const challenge = out.ChallengeName
      ? ` (Cognito asks for ${out.ChallengeName}, which gates login cannot answer; gates login --web signs in through the Hosted UI instead)`
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

/**
 * Signs in with USER_PASSWORD_AUTH (the app client must allow it and have no secret), answering the
 * challenges Cognito may ask on the way: the new password of a first sign-in and an MFA code.
 */
export async function loginWithPassword(
  send: InitiateAuth,
  options: { clientId: string; region: string; username: string; password: string },
  challenges: { respond: RespondToAuthChallenge; answers: ChallengeAnswers },
  now = Date.now(),
): Promise<CachedLogin> {
  let out: InitiateAuthCommandOutput | RespondToAuthChallengeCommandOutput = await send(
    {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: options.clientId,
      AuthParameters: { USERNAME: options.username, PASSWORD: options.password },
    },
    options.region,
  );
  for (let round = 0; round < MAX_CHALLENGES && !out.AuthenticationResult; round++) {
    const answer = out.ChallengeName ? CHALLENGE_RESPONSES[out.ChallengeName] : undefined;
    if (!answer || !out.Session) break;
    // Signing in by email, Cognito names the user by their user name in the challenge.
    const username = out.ChallengeParameters?.USER_ID_FOR_SRP ?? options.username;
    out = await challenges.respond(
      {
        ClientId: options.clientId,
        ChallengeName: out.ChallengeName,
        Session: out.Session,
        ChallengeResponses: { USERNAME: username, ...(await answer(challenges.answers)) },
      },
      options.region,
    );
  }
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
