import type { ChainCheck, ChainHead, LedgerEvent } from "../lambdas/core/ledger";
import type { PolicyDiagnostic } from "../lambdas/core/policy/rules";

export type {
  ApprovalStatus,
  ApprovalView,
  CreateTaskBody,
  Decision,
  DryRunBody,
  DryRunResult,
  EvaluateBody,
  EvaluationResponse,
  FinishBody,
  Grantor,
  GrantView,
  HealthView,
  LayerVersion,
  PendingItem,
  PendingPage,
  PolicyLayerView,
  PolicyView,
  PublishedPolicies,
  PublishPoliciesBody,
  RuleView,
  TaskView,
  WhoamiView,
} from "../contracts/api";
export type {
  LiftLockBody,
  LocksPage,
  LockTarget,
  LockView,
  PlaceLockBody,
  RepoSettings,
  RepoSettingsBody,
  SettingsView,
} from "../contracts/governance";
export type { ChainCheck, ChainHead, LedgerEvent, PolicyDiagnostic };

/** What {@link GatesClient.verifyLedger} found: the check, and the events and head it checked. */
export interface LedgerVerification {
  readonly check: ChainCheck;
  readonly events: readonly LedgerEvent[];
  readonly head: ChainHead;
}

/** One page of `GET /v1/tasks/{task_id}/events`. */
export interface EventsPage {
  items: LedgerEvent[];
  next_after_seq?: number;
}

/** What {@link GatesClient.guard} concludes about one tool call. */
export interface GuardResult {
  /** True only when the control plane allowed the call (directly or by a human). */
  readonly allowed: boolean;
  readonly reason: string;
  /** The final decision; DENY whenever anything went wrong. */
  readonly decision: "ALLOW" | "DENY";
  /** The approval request that was asked, if any. */
  readonly request_id?: string;
}
