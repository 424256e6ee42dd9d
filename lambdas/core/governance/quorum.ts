import type { Via } from "../../../contracts/api";

/** One approver's approval of a request that needs several. */
export interface Vote {
  readonly by: string;
  readonly at: string;
  readonly via: Via;
  /** The scope this approver chose (canonical). */
  readonly scope: string;
}

/** The facts about a task that decide how many approvals a request needs and from whom. */
export interface QuorumFacts {
  readonly owner: string;
  readonly approvers: readonly string[];
  readonly approverGroups: readonly string[];
  /** The settings' default for every request of the task. */
  readonly defaultRequired: number;
}

/** What matched rules ask of approvers. */
export interface QuorumRule {
  readonly rule_id: string;
  readonly approvals_required?: number;
  readonly approver_not_owner?: boolean;
}

export type Quorum =
  | { readonly ok: true; readonly required: number; readonly notOwner: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * How many distinct approvers a request needs: the highest of the settings' default and every matched
 * rule's `@approvals_required`, but never more than the task has approvers who may act (a group's size
 * is unknown, so with groups the number stands). `@approver_not_owner` on any rule excludes the owner;
 * when that leaves nobody, the request could never be approved and the answer says so.
 */
export function quorumFor(facts: QuorumFacts, rules: readonly QuorumRule[]): Quorum {
  let required = Math.max(1, facts.defaultRequired);
  let notOwner = false;
  for (const r of rules) {
    required = Math.max(required, r.approvals_required ?? 1);
    notOwner ||= r.approver_not_owner === true;
  }
  if (facts.approverGroups.length > 0) return { ok: true, required, notOwner };
  const eligible = facts.approvers.filter((a) => !(notOwner && a === facts.owner)).length;
  if (eligible === 0) {
    const excluding = rules.filter((r) => r.approver_not_owner).map((r) => r.rule_id);
    return {
      ok: false,
      reason: `${excluding.join(", ")} needs an approver other than the task's owner, and the task has none; an admin adds approvers to the repo's settings`,
    };
  }
  return { ok: true, required: Math.min(required, eligible), notOwner };
}

/** Who approved a request so far (or in the end), in order. */
export function approvedBy(a: {
  readonly status: string;
  readonly votes?: readonly Vote[];
  readonly decided_by?: string;
}): string[] {
  if (a.votes && a.votes.length > 0) return a.votes.map((v) => v.by);
  return a.status === "APPROVED" && a.decided_by !== undefined ? [a.decided_by] : [];
}

/** `"1 of 2 approvals (alice)"`. */
export function quorumProgress(required: number, approvedBy: readonly string[]): string {
  const who = approvedBy.length > 0 ? ` (${approvedBy.join(", ")})` : "";
  return `${approvedBy.length} of ${required} approval${required === 1 ? "" : "s"}${who}`;
}

/**
 * The scope a quorum grants: what every voter endorsed. One scope chosen by all is granted; so is the
 * one scope chosen beside `all_session`, which covers it. Voters who chose scopes that cannot be
 * compared get `this_call`: nobody is granted more than they approved.
 */
export function narrowestScope(chosen: readonly string[]): string {
  const distinct = [...new Set(chosen)];
  if (distinct.length === 0) return "this_call";
  if (distinct.length === 1) return distinct[0] as string;
  const narrower = distinct.filter((s) => s !== "all_session");
  return narrower.length === 1 ? (narrower[0] as string) : "this_call";
}
