import { HumanIdSchema } from "../../../contracts/api";
import { ADMIN_GROUP } from "../../core/principal";

/** What API Gateway's authorizers would have put in the request context for a local token. */
export interface LocalIdentityContext {
  /** Cognito-style claims, for human and admin tokens. */
  readonly claims?: Record<string, string>;
  /** The caller's "ARN", for agent tokens. */
  readonly userArn?: string;
}

/** The scheme is matched case-insensitively (as HTTP auth schemes are); the rest exactly. */
const LOCAL_TOKEN = /^(\S+) +local:(human|admin|agent):(.*)$/;

/**
 * Turns a local-mode `Authorization` header (`Bearer local:human:<id>`, `local:admin:<id>`
 * or `local:agent:<id>`) into the request-context identity the local server puts in its
 * events. The id is 1–256 characters without whitespace or control characters; anything
 * else gives `undefined`, which the router answers with 401. Only the local server calls
 * this: in AWS the router never reads the `Authorization` header.
 */
export function localTokenToContext(authorization: string | undefined): LocalIdentityContext | undefined {
  const match = LOCAL_TOKEN.exec(authorization ?? "");
  const [, scheme, kind, id] = match ?? [];
  if (scheme?.toLowerCase() !== "bearer" || id === undefined || !HumanIdSchema.safeParse(id).success) {
    return undefined;
  }
  if (kind === "agent") {
    return { userArn: id };
  }
  return kind === "admin" ? { claims: { sub: id, "cognito:groups": ADMIN_GROUP } } : { claims: { sub: id } };
}
