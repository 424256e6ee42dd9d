import type * as z from "zod/mini";
import { LayerIdSchema, RequestIdSchema, TaskIdSchema } from "../../../contracts/api";
import { ForbiddenError, UnauthenticatedError, ValidationError } from "../../core/errors";
import type { Principal } from "../../core/principal";
import type { OperationRequest } from "./operation";

/** The caller. The router already checked the principal kind; this is the operation's own second check. */
export function caller(req: OperationRequest): Principal {
  if (!req.principal)
    throw new UnauthenticatedError("Send credentials: SigV4 for agents, a Cognito token for humans.");
  return req.principal;
}

/** The caller, who must be an agent. */
export function agent(req: OperationRequest): Principal & { kind: "agent" } {
  const p = caller(req);
  if (p.kind !== "agent") throw new ForbiddenError("This route is for agents.");
  return p;
}

/** The caller, who must be a human. */
export function human(req: OperationRequest): Principal & { kind: "human" } {
  const p = caller(req);
  if (p.kind !== "human") throw new ForbiddenError("This route is for humans.");
  return p;
}

/** Admin routes are checked by the router too; this is the operation's own second check. */
export function adminOf(req: OperationRequest, what: string): Principal & { kind: "human" } {
  const p = human(req);
  if (!p.admin) throw new ForbiddenError(`${what} needs an admin.`);
  return p;
}

/** A path parameter, checked with its schema. */
export function pathParam(req: OperationRequest, name: string, schema: z.ZodMiniType<string>): string {
  const value = req.pathParams[name];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "is invalid";
    throw new ValidationError(`Path parameter ${name} ${message}.`, [{ field: name, message }]);
  }
  return parsed.data;
}

/** The `task_id` path parameter, checked. */
export const taskId = (req: OperationRequest) => pathParam(req, "task_id", TaskIdSchema);
/** The `request_id` path parameter, checked. */
export const requestId = (req: OperationRequest) => pathParam(req, "request_id", RequestIdSchema);
/** The `repo_id` path parameter: repo routes take a layer id (a repo, `owner/*` or `*`), canonicalized. */
export const repoId = (req: OperationRequest) => pathParam(req, "repo_id", LayerIdSchema);

/** A 200 answer. */
export const ok = (body: unknown) => ({ status: 200 as const, body });
