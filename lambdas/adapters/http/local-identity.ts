import { HumanIdSchema } from "../../../contracts/api";
import { GroupNameSchema } from "../../../contracts/governance";
import { ADMIN_GROUP } from "../../core/principal";

/** What API Gateway's authorizers would have put in the request context for a local token. */
export interface LocalIdentityContext {
  /** Cognito-style claims, for human and admin tokens. */
  readonly claims?: Record<string, string>;
  /** The caller's "ARN", for agent tokens. */
  readonly userArn?: string;
}

/**
 * The scheme is matched case-insensitively (as HTTP auth schemes are); the rest exactly. An id never
 * holds whitespace, so a space can set off the optional ` auth_time=<seconds since the epoch>`.
 */
const LOCAL_TOKEN = /^(\S+) +local:(human|admin|agent):(\S*)(?: +auth_time=(\d{1,12}))?$/;
/** A human token may carry identity groups, as a Cognito id token does: `alice;groups=ops,release`. */
const GROUPS_SUFFIX = /;groups=([^;]*)$/;

/**
 * Turns a local-mode `Authorization` header (`Bearer local:human:<id>`, `local:admin:<id>`
 * or `local:agent:<id>`) into the request-context identity the local server puts in its
 * events. The id is 1–256 characters without whitespace or control characters; anything
 * else gives `undefined`, which the router answers with 401. Human and admin tokens may end in
 * `;groups=<group>,<group>`, the Cognito groups an id token would carry. Only the local server
 * calls this: in AWS the router never reads the `Authorization` header.
 *
 * A human token stands for a Cognito id token, whose `auth_time` claim says when the human signed
 * in: ` auth_time=<seconds>` after the id and groups sets it (the console's local sign-in does), and
 * without it the token counts as a sign-in made at `nowS`, the moment of the request.
 */
export function localTokenToContext(
  authorization: string | undefined,
  nowS: number = Math.floor(Date.now() / 1000),
): LocalIdentityContext | undefined {
  const match = LOCAL_TOKEN.exec(authorization ?? "");
  const [, scheme, kind, rest, authTime] = match ?? [];
  if (scheme?.toLowerCase() !== "bearer" || rest === undefined) return undefined;
  if (kind === "agent") {
    return authTime === undefined && HumanIdSchema.safeParse(rest).success ? { userArn: rest } : undefined;
  }
  const suffix = GROUPS_SUFFIX.exec(rest);
  const id = suffix ? rest.slice(0, suffix.index) : rest;
  const groups = (suffix?.[1] ?? "").split(",").filter((g) => g !== "");
  if (!HumanIdSchema.safeParse(id).success || !groups.every((g) => GroupNameSchema.safeParse(g).success)) {
    return undefined;
  }
  const all = kind === "admin" ? [ADMIN_GROUP, ...groups] : groups;
  const claims: Record<string, string> = { sub: id, auth_time: authTime ?? String(nowS) };
  return { claims: all.length > 0 ? { ...claims, "cognito:groups": all.join(",") } : claims };
}
