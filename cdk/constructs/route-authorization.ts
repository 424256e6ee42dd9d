import type { RouteDef } from "../../lambdas/routes";

/** How API Gateway authenticates a route before the handler checks the principal kind. */
export type RouteAuth = "none" | "iam" | "cognito";

/**
 * Routes that admit both agents and humans cannot carry both authorizers on one method.
 * `iam`: agents sign with SigV4 as usual; humans call these routes with credentials from the Cognito
 * identity pool (signed, like an agent). `cognito`: humans use their id token, and agents cannot call them.
 */
export type MixedRouteAuth = "iam" | "cognito";

/**
 * The authorizer of a route, from its principals in the manifest: none for `anyone` and for
 * Slack's webhooks (the handler checks the Slack signature), IAM for agent-only routes, the Cognito user pool for
 * human and admin routes, and `mixed` for routes that admit both.
 */
export function routeAuth(route: Pick<RouteDef, "principals">, mixed: MixedRouteAuth): RouteAuth {
  if (route.principals === "anyone" || route.principals.includes("slack")) return "none";
  if (admitsAgentsAndHumans(route)) return mixed;
  return route.principals.includes("agent") ? "iam" : "cognito";
}

/** Whether a route is open to both agents and humans (or admins). */
export function admitsAgentsAndHumans(route: Pick<RouteDef, "principals">): boolean {
  if (route.principals === "anyone") return false;
  return (
    route.principals.includes("agent") &&
    route.principals.some((kind) => kind === "human" || kind === "admin")
  );
}
