import * as inputs from "../../../contracts/governance-inputs";
import { LIMITS } from "../../../contracts/limits";
import type { LockDeps, SettingsDeps } from "../../core/control-plane/deps";
import { liftLock, listLockEvents, listLocks, placeLock } from "../../core/control-plane/locks";
import { getSettings, publishSettings } from "../../core/control-plane/settings";
import { type OperationsOf, ok } from "./operation";

/** The governance routes: repo settings and locks, which need their tables but no policy engine. */
export type GovernanceOperationId =
  | "getSettings"
  | "publishSettings"
  | "placeLock"
  | "listLocks"
  | "listLockEvents"
  | "liftLock";

/** Repo settings and locks, bound to their core use cases. */
export function governanceOperations(deps: LockDeps & SettingsDeps): OperationsOf<GovernanceOperationId> {
  return {
    getSettings: {
      input: inputs.getSettings,
      handle: async ({ path }) => ok(await getSettings(deps, path.repo_id)),
    },
    publishSettings: {
      input: inputs.publishSettings,
      handle: async ({ principal, path, body }) =>
        ok(await publishSettings(deps, principal, path.repo_id, body)),
    },
    placeLock: {
      input: inputs.placeLock,
      handle: async ({ principal, body }) => ({ status: 201, body: await placeLock(deps, principal, body) }),
    },
    listLocks: { input: inputs.listLocks, handle: async () => ok(await listLocks(deps)) },
    listLockEvents: {
      input: inputs.listLockEvents,
      handle: async ({ query }) =>
        ok(await listLockEvents(deps, query.after_seq ?? 0, query.limit ?? LIMITS.defaultListLimit)),
    },
    liftLock: {
      input: inputs.liftLock,
      handle: async ({ principal, path, body }) => ok(await liftLock(deps, principal, path.lock_id, body)),
    },
  };
}
