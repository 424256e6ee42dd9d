import { TaskNotFoundError } from "../errors";
import type { Principal } from "../principal";
import type { TaskRecord } from "../records";

/**
 * A task exists only for its agent, its owner and its approvers; for anyone else it is
 * TASK_NOT_FOUND, never FORBIDDEN, so ids cannot be probed.
 */
export function requireVisible(
  task: TaskRecord | undefined,
  taskId: string,
  principal: Principal,
): TaskRecord {
  if (task && canSee(task, principal)) return task;
  throw new TaskNotFoundError(taskId);
}

export function canSee(task: TaskRecord, principal: Principal): boolean {
  return principal.kind === "agent" ? task.agent_id === principal.id : task.approvers.includes(principal.id);
}

/** Only the task's own agent may act for it. */
export function requireOwnAgent(
  task: TaskRecord | undefined,
  taskId: string,
  principal: Principal,
): TaskRecord {
  if (task && principal.kind === "agent" && task.agent_id === principal.id) return task;
  throw new TaskNotFoundError(taskId);
}

/** Approvers (the owner is one) may decide, cancel and revoke. */
export function requireApprover(
  task: TaskRecord | undefined,
  taskId: string,
  principal: Principal,
): TaskRecord {
  if (task && principal.kind === "human" && task.approvers.includes(principal.id)) return task;
  throw new TaskNotFoundError(taskId);
}
