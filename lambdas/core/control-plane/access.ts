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
  if (principal.kind === "agent") return task.agent_id === principal.id;
  return task.owner === principal.id || isApprover(task, principal);
}

/** A human who is one of the task's approvers, by id or through one of its identity groups. */
export function isApprover(
  task: Pick<TaskRecord, "approvers" | "approver_groups">,
  principal: Principal,
): boolean {
  if (principal.kind !== "human") return false;
  if (task.approvers.includes(principal.id)) return true;
  const groups = principal.groups ?? [];
  return (task.approver_groups ?? []).some((g) => groups.includes(g));
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

/** Approvers may decide and revoke. */
export function requireApprover(
  task: TaskRecord | undefined,
  taskId: string,
  principal: Principal,
): TaskRecord {
  if (task && isApprover(task, principal)) return task;
  throw new TaskNotFoundError(taskId);
}

/** The kill switch only restricts, so the owner may pull it even where it does not approve. */
export function requireOwnerOrApprover(
  task: TaskRecord | undefined,
  taskId: string,
  principal: Principal,
): TaskRecord {
  if (task && principal.kind === "human" && (task.owner === principal.id || isApprover(task, principal)))
    return task;
  throw new TaskNotFoundError(taskId);
}
