import type { ApprovalStatus, LayerVersion, Via } from "../../contracts/api";
import type { RepoSettings } from "../../contracts/governance";
import type { Vote } from "./governance/quorum";
import type { Severity } from "./policy/rules";
import type { TaskSnapshot } from "./task";

/** A task as stored: the snapshot the pipeline reads plus identity, bookkeeping and the chain head. */
export interface TaskRecord extends TaskSnapshot {
  readonly task_id: string;
  readonly description?: string;
  /** The version of the repo's own policy layer (0 when it has none). */
  readonly policy_version: number;
  /** Every policy layer the task is judged by, widest first, at the versions pinned at registration. */
  readonly policy_layers: readonly LayerVersion[];
  /** The settings the task was registered under. */
  readonly settings: LayerVersion;
  readonly created_at: string;
  readonly updated_at: string;
  /** Equals the seq of the task's last event. */
  readonly version: number;
  readonly last_event_hash: string;
  /** Hash of the creating agent and body, so a repeated create is recognised as the same. */
  readonly create_fingerprint: string;
  /** Allowed calls whose outcome the agent has not reported yet, oldest first; absent on older items. */
  readonly open_calls?: readonly OpenCall[];
}

/** An allowed call waiting for its outcome: an ALLOW (by its event seq) or an approved request. */
export interface OpenCall {
  readonly event_seq?: number;
  readonly request_id?: string;
  readonly tool_name: string;
  readonly input_sha256: string;
  readonly allowed_at: string;
}

/** An approval request and, once it ends, its decision. */
export interface ApprovalRecord {
  readonly task_id: string;
  readonly request_id: string;
  readonly status: ApprovalStatus;
  readonly repo: string;
  readonly approvers: readonly string[];
  readonly approver_groups?: readonly string[];
  readonly tool_name: string;
  readonly tool_input_preview: string;
  readonly tool_input_sha256: string;
  readonly rule_ids: readonly string[];
  /**
   * The soft rules of the policy version the call was judged by: those a `rule:` scope of the
   * approval may name. Recorded with the request, so deciding needs no policy engine. A request
   * without the list offers the rules it matched, all of them soft.
   */
  readonly soft_rule_ids?: readonly string[];
  readonly severity: Severity;
  readonly reason: string;
  readonly timeout_s: number;
  /** Distinct approvals needed; absent means 1. */
  readonly approvals_required?: number;
  readonly approver_not_owner?: boolean;
  /** Approvals so far, in order, while more are needed; the last one completes the quorum. */
  readonly votes?: readonly Vote[];
  readonly created_at: string;
  readonly expires_at: string;
  readonly decided_at?: string;
  readonly decided_by?: string;
  readonly via?: Via;
  readonly scope?: string;
  readonly deny_reason?: string;
  /** The agent will report the outcome, so an approval opens the call for it. */
  readonly track_outcome?: boolean;
}

/** One approver's (or one group's) view of one PENDING request; it exists exactly while the request is PENDING. */
export interface InboxRow {
  /** A human id, or an approver group's inbox key ({@link groupInboxKey}). */
  readonly approver_id: string;
  readonly task_id: string;
  readonly request_id: string;
  readonly repo: string;
  readonly tool_name: string;
  readonly tool_input_preview: string;
  readonly rule_ids: readonly string[];
  readonly severity: Severity;
  readonly reason: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly approvals_required?: number;
  readonly approved_by?: readonly string[];
}

/**
 * The inbox partition of an approver group. Human ids never contain whitespace, so no human's inbox
 * can be a group's.
 */
export function groupInboxKey(group: string): string {
  return `group ${group}`;
}

/** A published, immutable policy version of a repo. */
export interface PolicyVersionRecord {
  readonly repo_id: string;
  readonly version: number;
  readonly policies: string;
  readonly disable: readonly string[];
  readonly published_by: string;
  readonly published_at: string;
}

/** A published, immutable settings version of a layer (`*`, `owner/*` or a repo). */
export interface SettingsVersionRecord {
  readonly layer: string;
  readonly version: number;
  readonly settings: RepoSettings;
  readonly published_by: string;
  readonly published_at: string;
}
