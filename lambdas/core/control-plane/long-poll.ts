import type { ApprovalView } from "../../../contracts/api";
import { RequestNotFoundError } from "../errors";
import type { Principal } from "../principal";
import { requireVisible } from "./access";
import { timeOutRequest } from "./approvals";
import type { ControlPlaneDeps } from "./deps";
import { toApprovalView } from "./views";

/** The quickest and the slowest a long-poll re-reads a pending request. */
export const REREAD_MIN_MS = 100;
export const REREAD_MAX_MS = 1000;

/**
 * How long a long-poll waits before re-reading a request that has been pending for `pendingMs`:
 * a tenth of that, between {@link REREAD_MIN_MS} and {@link REREAD_MAX_MS}. A decision made
 * moments after the request (a human at the keyboard, a Slack click) is seen within 100 ms; one
 * made minutes later is seen within a second, which is small against the wait, and a 5-minute
 * wait costs about a fifth of the reads a fixed 200 ms interval would.
 */
export function rereadDelayMs(pendingMs: number): number {
  // An unreadable creation time must not turn the wait into a busy loop.
  if (!Number.isFinite(pendingMs)) return REREAD_MAX_MS;
  return Math.min(REREAD_MAX_MS, Math.max(REREAD_MIN_MS, Math.floor(pendingMs / 10)));
}

/**
 * Reads a request, waiting up to `waitS` for it to leave PENDING and re-reading it as
 * {@link rereadDelayMs} says. A request past its deadline is timed out on the spot, by the same
 * transaction the reconciler uses.
 */
export async function getApproval(
  deps: ControlPlaneDeps,
  principal: Principal,
  taskId: string,
  requestId: string,
  waitS: number,
): Promise<ApprovalView> {
  const task = requireVisible(await deps.tasks.getTask(taskId), taskId, principal);
  const deadline = deps.clock.now().getTime() + waitS * 1000;
  for (;;) {
    let approval = await deps.tasks.getApproval(task.task_id, requestId);
    if (!approval) throw new RequestNotFoundError(taskId, requestId);
    if (approval.status === "PENDING" && Date.parse(approval.expires_at) <= deps.clock.now().getTime()) {
      approval = await timeOutRequest(deps, taskId, requestId);
    }
    if (approval.status !== "PENDING" || deps.clock.now().getTime() >= deadline)
      return toApprovalView(approval);
    const now = deps.clock.now().getTime();
    const delay = rereadDelayMs(now - Date.parse(approval.created_at));
    await deps.sleeper.sleep(Math.min(delay, Math.max(0, deadline - now)));
  }
}
