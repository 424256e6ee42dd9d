import type { LocalIdentity } from "../../config";
import type { Authorizer } from "../api";

/**
 * The local token of an identity picked now: `local:<kind>:<id>` with the time of the pick as the
 * sign-in time, as an id token's `auth_time` would carry it.
 */
export function localToken(identity: LocalIdentity, nowMs = Date.now()): string {
  return `local:${identity.kind}:${identity.id} auth_time=${Math.floor(nowMs / 1000)}`;
}

/** Every request carries the local token as a bearer token. */
export function bearer(token: string): Authorizer {
  return async () => ({ authorization: `Bearer ${token}` });
}

/** An id the local server would accept: 1–256 characters, no whitespace or control characters. */
export function isLocalId(id: string): boolean {
  return id.length >= 1 && id.length <= 256 && /^[^\s\p{Cc}]+$/u.test(id);
}
