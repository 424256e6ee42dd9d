import type { CancelBody, CreateTaskBody, FinishBody, TaskView } from "../../../contracts/api";
import { canonicalJson } from "../canonical-json";
import {
  ForbiddenBySettingsError,
  GrantNotFoundError,
  TaskExistsError,
  TaskNotActiveError,
  ValidationError,
} from "../errors";
import { admitTask } from "../governance/settings";
import { sha256Hex } from "../hashing";
import { GENESIS_HASH, type LedgerEvent } from "../ledger";
import type { Principal } from "../principal";
import type { TaskRecord } from "../records";
import { sanitizeLine, sanitizeText } from "../sanitize";
import { parseScope } from "../scopes";
import { isActive, TASK_DEFAULTS, type TaskStatus } from "../task";
import { requireApprover, requireOwnAgent, requireOwnerOrApprover, requireVisible } from "./access";
import type { ControlPlaneDeps, EvaluationDeps, SettingsDeps } from "./deps";
import { endApproval, inboxKeysOf, pendingApprovals } from "./request-lifecycle";
import { resolveSettings } from "./settings";
import { appendEvent, changeTask, withoutUndefined } from "./transact";
import { toTaskView } from "./views";

/**
 * Registers a task for the calling agent under its repo's settings: who approves comes from them,
 * never from the agent, and an owner, approver or pre-grant they do not allow is refused naming the
 * setting. Repeating the same body with the same id returns the task.
 */
export async function createTask(
  deps: EvaluationDeps & SettingsDeps,
  agent: Principal & { kind: "agent" },
  body: CreateTaskBody,
): Promise<{ created: boolean; view: TaskView }> {
  const now = deps.clock.now();
  const taskId = body.task_id ?? deps.ids.ulid(now);
  const fingerprint = sha256Hex(canonicalJson({ agent_id: agent.id, body: { ...body, task_id: taskId } }));
  // Free text from the agent is stored only through the secret scanner.
  const description = body.description === undefined ? undefined : sanitizeText(body.description, 2000);

  const [policies, resolved] = await Promise.all([
    deps.policies.latest(body.repo),
    resolveSettings(deps, body.repo),
  ]);
  const softRuleIds = new Set(
    policies.policySet.rules.filter((r) => r.tier === "soft").map((r) => r.rule_id),
  );
  const problems: { field: string; message: string }[] = [];
  const initialGrants: { field: string; scope: string }[] = [];
  (body.initial_grants ?? []).forEach((raw, i) => {
    const field = `initial_grants[${i}]`;
    const parsed = parseScope(sanitizeLine(raw), { softRuleIds });
    if (!parsed.ok) problems.push({ field, message: parsed.message });
    else if (parsed.scope.kind !== "this_call" && !initialGrants.some((g) => g.scope === parsed.canonical))
      initialGrants.push({ field, scope: parsed.canonical });
  });
  if (problems.length > 0) throw new ValidationError("Some initial_grants are not valid scopes.", problems);
  const policyLayers = policies.layers.map((r) => ({ layer: r.repo_id, version: r.version }));
  const policyVersion = policyLayers.find((l) => l.layer === body.repo)?.version ?? 0;

  return changeTask<{ created: boolean; view: TaskView }>(deps, taskId, (existing, at) => {
    if (existing) {
      if (existing.create_fingerprint === fingerprint)
        return { result: { created: false, view: toTaskView(existing) } };
      throw new TaskExistsError(taskId);
    }
    const admitted = admitTask(resolved, {
      agentId: agent.id,
      owner: body.owner,
      initialGrants,
      ...(body.approvers ? { approvers: body.approvers } : {}),
      ...(body.approval_timeout_s !== undefined ? { approvalTimeoutS: body.approval_timeout_s } : {}),
    });
    if (!admitted.ok) throw new ForbiddenBySettingsError(admitted.refusals, resolved.source);
    const admission = admitted.admission;
    const createdAt = at.toISOString();
    const grantor = { kind: "agent" as const, id: agent.id };
    const settings = withoutUndefined({
      read_only: body.read_only ?? false,
      approval_timeout_s: admission.approvalTimeoutS,
      approval_gate_cap: body.approval_gate_cap ?? TASK_DEFAULTS.approval_gate_cap,
      max_tool_calls: body.max_tool_calls ?? TASK_DEFAULTS.max_tool_calls,
      approvals_required: admission.approvalsRequired,
      description,
    });
    const seed: TaskRecord = withoutUndefined({
      task_id: taskId,
      agent_id: agent.id,
      repo: body.repo,
      owner: body.owner,
      approvers: [...admission.approvers],
      approver_groups: [...admission.approverGroups],
      approvals_required: admission.approvalsRequired,
      description,
      read_only: settings.read_only,
      status: "RUNNING" as TaskStatus,
      approval_timeout_s: settings.approval_timeout_s,
      approval_gate_cap: settings.approval_gate_cap,
      max_tool_calls: settings.max_tool_calls,
      policy_version: policyVersion,
      policy_layers: policyLayers,
      settings: resolved.source,
      counters: { tool_calls: 0, approvals_requested: 0 },
      grants: admission.grants.map((scope) => ({ scope, granted_by: grantor, granted_at: createdAt })),
      recent_denials: [],
      recent_request_times: [],
      pending_request_ids: [],
      created_at: createdAt,
      updated_at: createdAt,
      version: 0,
      last_event_hash: GENESIS_HASH,
      create_fingerprint: fingerprint,
    });
    const { task, event } = appendEvent(
      seed,
      seed,
      "task.created",
      { kind: "agent", id: agent.id },
      {
        repo: body.repo,
        owner: body.owner,
        approvers: seed.approvers,
        approver_groups: seed.approver_groups,
        agent_id: agent.id,
        policy_version: policyVersion,
        policy_layers: policyLayers,
        repo_settings: resolved.source,
        settings,
        grants: seed.grants.map((g) => ({ scope: g.scope, granted_by: g.granted_by })),
      },
      at,
    );
    return {
      change: { expectedVersion: undefined, task, event },
      result: { created: true, view: toTaskView(task) },
    };
  });
}

export async function getTask(
  deps: ControlPlaneDeps,
  principal: Principal,
  taskId: string,
): Promise<TaskView> {
  return toTaskView(requireVisible(await deps.tasks.getTask(taskId), taskId, principal));
}

export async function listEvents(
  deps: ControlPlaneDeps,
  principal: Principal,
  taskId: string,
  afterSeq: number,
  limit: number,
): Promise<{ items: LedgerEvent[]; next_after_seq?: number }> {
  requireVisible(await deps.tasks.getTask(taskId), taskId, principal);
  const page = await deps.tasks.listEvents(taskId, afterSeq, limit);
  const last = page.items.at(-1);
  return page.more && last ? { items: page.items, next_after_seq: last.seq } : { items: page.items };
}

/** The agent ends its task; every PENDING request is CANCELLED in the same transaction. */
export function finishTask(
  deps: ControlPlaneDeps,
  agent: Principal,
  taskId: string,
  body: FinishBody,
): Promise<TaskView> {
  return closeTask(deps, taskId, (t) => requireOwnAgent(t, taskId, agent), {
    status: body.status,
    type: "task.finished",
    actor: { kind: "agent", id: agent.id },
    data: { status: body.status, summary: body.summary ? sanitizeText(body.summary, 2000) : undefined },
  });
}

/** The kill switch: the owner or an approver cancels the task; nothing can be allowed after it. */
export function cancelTask(
  deps: ControlPlaneDeps,
  human: Principal,
  taskId: string,
  body: CancelBody,
): Promise<TaskView> {
  return closeTask(deps, taskId, (t) => requireOwnerOrApprover(t, taskId, human), {
    status: "CANCELLED",
    type: "task.cancelled",
    actor: { kind: "human", id: human.id },
    data: { by: human.id, reason: body.reason ? sanitizeText(body.reason, 2000) : undefined },
  });
}

async function closeTask(
  deps: ControlPlaneDeps,
  taskId: string,
  authorize: (task: TaskRecord | undefined) => TaskRecord,
  end: {
    status: TaskStatus;
    type: "task.finished" | "task.cancelled";
    actor: { kind: "agent" | "human"; id: string };
    data: Record<string, unknown>;
  },
): Promise<TaskView> {
  return changeTask(deps, taskId, async (found, now) => {
    const current = authorize(found);
    if (!isActive(current.status)) throw new TaskNotActiveError(taskId, current.status);
    const pending = await pendingApprovals(deps.tasks, current);
    const ended = pending.map((a) => endApproval(a, "CANCELLED", now, { via: "system" }));
    const { task, event } = appendEvent(
      current,
      { ...current, status: end.status, pending_request_ids: [] },
      end.type,
      end.actor,
      end.data,
      now,
    );
    return {
      change: {
        expectedVersion: current.version,
        task,
        event,
        endApprovals: ended,
        deleteInbox: pending.flatMap(inboxKeysOf),
      },
      result: toTaskView(task),
    };
  });
}

/** Removes a grant; later calls are evaluated without it. */
export function revokeGrant(
  deps: ControlPlaneDeps,
  human: Principal,
  taskId: string,
  scope: string,
): Promise<TaskView> {
  // Grants are stored sanitized, so the scope to revoke is compared (and echoed) the same way.
  const text = sanitizeLine(scope);
  const parsed = parseScope(text);
  const wanted = parsed.ok ? parsed.canonical : text.trim();
  return changeTask(deps, taskId, (found, now) => {
    const current = requireApprover(found, taskId, human);
    if (!isActive(current.status)) throw new TaskNotActiveError(taskId, current.status);
    if (!current.grants.some((g) => g.scope === wanted)) throw new GrantNotFoundError(wanted);
    const { task, event } = appendEvent(
      current,
      { ...current, grants: current.grants.filter((g) => g.scope !== wanted) },
      "grant.revoked",
      { kind: "human", id: human.id },
      { scope: wanted, by: human.id },
      now,
    );
    return { change: { expectedVersion: current.version, task, event }, result: toTaskView(task) };
  });
}
