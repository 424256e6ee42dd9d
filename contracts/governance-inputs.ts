/**
 * What the governance operations take (see `inputs.ts`); a module of their own, so the
 * functions that serve no governance route bundle none of its schemas.
 */
import { EmptyQuerySchema, EventsQuerySchema } from "./api";
import { LiftLockBodySchema, LockIdSchema, PlaceLockBodySchema, RepoSettingsBodySchema } from "./governance";
import type { OperationInput } from "./inputs";
import { LAYER_PATH } from "./path-params";

export const getSettings = { path: LAYER_PATH, query: EmptyQuerySchema } as const satisfies OperationInput;
/** Every problem of a settings document, its shape included, is one 422 that lists them all. */
export const publishSettings = {
  path: LAYER_PATH,
  body: RepoSettingsBodySchema,
  invalidBody: "SETTINGS_INVALID",
} as const satisfies OperationInput;
export const placeLock = { body: PlaceLockBodySchema } as const satisfies OperationInput;
export const listLocks = { query: EmptyQuerySchema } as const satisfies OperationInput;
export const listLockEvents = { query: EventsQuerySchema } as const satisfies OperationInput;
export const liftLock = {
  path: { lock_id: LockIdSchema },
  body: LiftLockBodySchema,
} as const satisfies OperationInput;
