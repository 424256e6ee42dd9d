import { EmptyQuerySchema, EventsQuerySchema, LIMITS } from "../../../contracts/api";
import {
  LiftLockBodySchema,
  LockIdSchema,
  PlaceLockBodySchema,
  type RepoSettingsBody,
  RepoSettingsBodySchema,
} from "../../../contracts/governance";
import type { LockDeps, SettingsDeps } from "../../core/control-plane/deps";
import { liftLock, listLockEvents, listLocks, placeLock } from "../../core/control-plane/locks";
import { getSettings, publishSettings } from "../../core/control-plane/settings";
import { type FieldProblem, SettingsInvalidError, ValidationError } from "../../core/errors";
import { adminOf, caller, human, ok, pathParam, repoId } from "./callers";
import { type OperationHandler, parseWith } from "./operation";

/** The governance routes: repo settings and locks, which need their tables but no policy engine. */
export type GovernanceOperationId =
  | "getSettings"
  | "publishSettings"
  | "placeLock"
  | "listLocks"
  | "listLockEvents"
  | "liftLock";

/** Repo settings and locks, bound to their core use cases. */
export function governanceOperations(
  deps: LockDeps & SettingsDeps,
): Record<GovernanceOperationId, OperationHandler> {
  return {
    getSettings: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      caller(req);
      return ok(await getSettings(deps, repoId(req)));
    },

    publishSettings: async (req) => {
      const admin = adminOf(req, "Publishing settings");
      const layer = repoId(req);
      // Every problem of a settings document, its shape included, is one 422 that lists them all.
      let body: RepoSettingsBody;
      try {
        body = parseWith(RepoSettingsBodySchema, req.body, "body");
      } catch (error) {
        if (error instanceof ValidationError) throw new SettingsInvalidError(error.fields as FieldProblem[]);
        throw error;
      }
      return ok(await publishSettings(deps, admin, layer, body));
    },

    placeLock: async (req) => {
      const body = parseWith(PlaceLockBodySchema, req.body, "body");
      return { status: 201, body: await placeLock(deps, adminOf(req, "Placing a lock"), body) };
    },

    listLocks: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      human(req);
      return ok(await listLocks(deps));
    },

    listLockEvents: async (req) => {
      const q = parseWith(EventsQuerySchema, req.query, "query");
      human(req);
      return ok(await listLockEvents(deps, q.after_seq ?? 0, q.limit ?? LIMITS.defaultListLimit));
    },

    liftLock: async (req) => {
      const body = parseWith(LiftLockBodySchema, req.body, "body");
      const admin = adminOf(req, "Lifting a lock");
      return ok(await liftLock(deps, admin, pathParam(req, "lock_id", LockIdSchema), body));
    },
  };
}
