import { ReauthenticationRequiredError } from "../errors";
import type { Principal } from "../principal";

/** How recent a human's sign-in must be for the decisions that need one. */
export interface FreshSignInPolicy {
  /** Approving a `critical` request needs an authentication at most this many seconds old. */
  readonly criticalMaxAgeS: number;
}

/** The default age limit of the sign-in behind a critical approval, in minutes. */
export const DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN = 10;

export type FreshSignInCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly ageS?: number; readonly authTime?: string };

/**
 * Whether `human` may approve a request of `severity` with the sign-in they hold: anything but
 * `critical` needs no particular sign-in; `critical` needs an `auth_time` at most
 * `policy.criticalMaxAgeS` old. No `auth_time` at all is never fresh. A sign-in dated in the
 * future (clock skew) counts as made now.
 */
export function checkFreshSignIn(
  severity: string,
  human: Principal,
  now: Date,
  policy: FreshSignInPolicy,
): FreshSignInCheck {
  if (severity !== "critical") return { ok: true };
  const authTime = human.kind === "human" ? human.authTime : undefined;
  if (authTime === undefined || !Number.isFinite(authTime)) return { ok: false };
  const ageS = Math.max(0, Math.floor(now.getTime() / 1000 - authTime));
  if (ageS <= policy.criticalMaxAgeS) return { ok: true };
  return { ok: false, ageS, authTime: new Date(authTime * 1000).toISOString() };
}

/** Throws 403 `REAUTHENTICATION_REQUIRED`, saying how old the sign-in is and how to renew it. */
export function requireFreshSignIn(
  severity: string,
  human: Principal,
  now: Date,
  policy: FreshSignInPolicy,
): void {
  const check = checkFreshSignIn(severity, human, now, policy);
  if (check.ok) return;
  const limit = formatMinutes(policy.criticalMaxAgeS);
  const held =
    check.ageS === undefined
      ? "your credentials carry no sign-in time"
      : `you signed in ${formatMinutes(check.ageS)} ago`;
  throw new ReauthenticationRequiredError(
    `Approving a critical request needs a sign-in at most ${limit} old, and ${held}. Sign in again (the console's "Sign in again", or gates login) and retry; refreshing a token does not renew it.`,
    { max_age_s: policy.criticalMaxAgeS, ...(check.authTime ? { auth_time: check.authTime } : {}) },
  );
}

function formatMinutes(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return `${seconds} s`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
