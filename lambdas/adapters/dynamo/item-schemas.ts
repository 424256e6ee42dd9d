/**
 * The schemas every read of a stored item goes through. Each maps an item to the core's record: what
 * is only storage (TTL, index keys, `expiry_bucket`, channel states) is dropped because the schema does
 * not name it, and what older items lack is filled in. A type check holds each schema to its record,
 * so a field added to one and not the other does not compile.
 */
import * as z from "zod/mini";
import type { LockTarget } from "../../../contracts/governance";
import {
  ApprovalStatusSchema,
  GrantorSchema,
  LayerVersionSchema,
  RepoSettingsSchema,
  ViaSchema,
} from "../../../contracts/record-shapes";
import type { LockRecord } from "../../core/governance/locks";
import { SEVERITIES } from "../../core/policy/rules";
import type { LedgerHead } from "../../core/ports";
import type {
  ApprovalRecord,
  InboxRow,
  PolicyVersionRecord,
  SettingsVersionRecord,
  TaskRecord,
} from "../../core/records";
import type { Grant, Grantor } from "../../core/task";
import { TASK_STATUSES } from "../../core/task";
import type { ItemKind } from "./dynamo-errors";

/** `T` with every property and array readonly, at every depth, so a schema's output compares with a record. */
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** `true` when `A` and `B` are the same type once frozen: the same fields, optional alike, of the same types. */
export type Same<A, B> =
  (<X>() => X extends Frozen<A> ? 1 : 2) extends <X>() => X extends Frozen<B> ? 1 : 2 ? true : false;

/** Compiles only for `true`: `Assert<Same<A, B>>` fails to compile when the two differ. */
export type Assert<T extends true> = T;

// Shared pieces keep the schemas small: they ride in every function that reads the tables.
const str = z.string();
const strs = z.array(str);
const num = z.number();
const opt = z.optional;
const SeveritySchema = z.enum(SEVERITIES);

const kind = <T>(
  table: ItemKind<T>["table"],
  key: readonly string[],
  schema: z.ZodMiniType<T>,
): ItemKind<T> => ({
  table,
  key,
  schema,
});

const requestKey = { task_id: str, request_id: str };
const APPROVALS_KEY = ["task_id", "request_id"];

/** The fields a request and its inbox rows share. */
const requestFields = {
  ...requestKey,
  repo: str,
  tool_name: str,
  tool_input_preview: str,
  rule_ids: strs,
  severity: SeveritySchema,
  reason: str,
  created_at: str,
  expires_at: str,
  approvals_required: opt(num),
};

const ApprovalSchema = z.object({
  ...requestFields,
  status: ApprovalStatusSchema,
  approvers: strs,
  approver_groups: opt(strs),
  tool_input_sha256: str,
  soft_rule_ids: opt(strs),
  timeout_s: num,
  approver_not_owner: opt(z.boolean()),
  votes: opt(z.array(z.object({ by: str, at: str, via: ViaSchema, scope: str }))),
  decided_at: opt(str),
  decided_by: opt(str),
  via: opt(ViaSchema),
  scope: opt(str),
  deny_reason: opt(str),
  track_outcome: opt(z.boolean()),
});

/** A request, without `expiry_bucket`, its TTL or the channels' delivery states. */
export const APPROVAL_ITEM = kind("Approvals", APPROVALS_KEY, ApprovalSchema);

/** The key of a request, as a query of the pending-expiry index projects it. */
export const REQUEST_KEY_ITEM = kind("Approvals", APPROVALS_KEY, z.object(requestKey));

/** The key and repo of a PENDING request, as a query of the pending-expiry index projects them. */
export const PENDING_ITEM = kind("Approvals", APPROVALS_KEY, z.object({ ...requestKey, repo: str }));

const InboxRowSchema = z.object({ ...requestFields, approver_id: str, approved_by: opt(strs) });

/** An inbox row, without its sort key or TTL. */
export const INBOX_ITEM = kind("Inbox", ["approver_id", "sk"], InboxRowSchema);

/** Governance fields that tasks registered before governance do not have. */
type GovernanceField = "approver_groups" | "approvals_required" | "policy_layers" | "settings";

/** A grant as stored: grants made before grantors were recorded hold a bare id. */
type StoredGrant = Omit<Grant, "granted_by"> & { readonly granted_by: Grant["granted_by"] | string };

/** A task as stored: a record whose governance fields may be missing and whose grants may be bare. */
type StoredTask = Omit<TaskRecord, GovernanceField | "grants"> &
  Partial<Pick<TaskRecord, GovernanceField>> & { readonly grants: readonly StoredGrant[] };

const StoredTaskSchema = z.object({
  task_id: str,
  agent_id: str,
  repo: str,
  owner: str,
  read_only: z.boolean(),
  status: z.enum(TASK_STATUSES),
  description: opt(str),
  approvers: strs,
  approver_groups: opt(strs),
  approvals_required: opt(num),
  approval_timeout_s: num,
  approval_gate_cap: num,
  max_tool_calls: num,
  counters: z.object({ tool_calls: num, approvals_requested: num }),
  grants: z.array(
    z.object({
      scope: str,
      granted_by: z.custom<Grantor | string>(
        (v) => typeof v === "string" || z.safeParse(GrantorSchema, v).success,
      ),
      granted_at: str,
      request_id: opt(str),
      approved_by: opt(strs),
    }),
  ),
  recent_denials: z.array(
    z.object({
      tool_name: str,
      input_sha256: str,
      rule_ids: strs,
      status: z.enum(["DENIED", "TIMED_OUT"]),
      at: str,
    }),
  ),
  recent_request_times: strs,
  pending_request_ids: strs,
  policy_version: num,
  policy_layers: opt(z.array(LayerVersionSchema)),
  settings: opt(LayerVersionSchema),
  created_at: str,
  updated_at: str,
  version: num,
  last_event_hash: str,
  create_fingerprint: str,
  open_calls: opt(
    z.array(
      z.object({
        event_seq: opt(num),
        request_id: opt(str),
        tool_name: str,
        input_sha256: str,
        allowed_at: str,
      }),
    ),
  ),
});

/**
 * Tasks registered before governance have no groups, layers or settings source; they read as tasks
 * with no approver groups, one approval per request, and only their repo's pinned layer. A bare
 * grantor from a request was a human's approval; one without was a pre-grant the agent asked for.
 */
function withGovernanceDefaults(task: z.output<typeof StoredTaskSchema>): TaskRecord {
  return {
    ...task,
    approver_groups: task.approver_groups ?? [],
    approvals_required: task.approvals_required ?? 1,
    policy_layers:
      task.policy_layers ??
      (task.policy_version > 0 ? [{ layer: task.repo, version: task.policy_version }] : []),
    settings: task.settings ?? { layer: "default", version: 0 },
    grants: task.grants.map((g) => {
      const by = g.granted_by;
      if (typeof by !== "string") return { ...g, granted_by: by };
      return {
        ...g,
        granted_by:
          g.request_id !== undefined ? { kind: "human", id: by } : { kind: "agent", id: task.agent_id },
      };
    }),
  };
}

/** A task, with what older items lack filled in. */
export const TASK_ITEM = kind(
  "Tasks",
  ["task_id"],
  z.pipe(StoredTaskSchema, z.transform(withGovernanceDefaults)),
);

const PolicyVersionSchema = z.object({
  repo_id: str,
  version: num,
  policies: str,
  disable: strs,
  published_by: str,
  published_at: str,
});

/** A published policy version. */
export const POLICY_VERSION_ITEM = kind("PolicySets", ["repo_id", "version"], PolicyVersionSchema);

const SettingsVersionSchema = z.object({
  ...LayerVersionSchema.shape,
  settings: RepoSettingsSchema,
  published_by: str,
  published_at: str,
});

/** A published settings version; the settings document is the contract's. */
export const SETTINGS_VERSION_ITEM = kind("RepoSettings", ["layer", "version"], SettingsVersionSchema);

const LockSchema = z.object({
  lock_id: str,
  target: z.custom<LockTarget>((v) => typeof v === "string" && /^(all$|repo:|agent:)/.test(v)),
  reason: str,
  placed_by: str,
  placed_at: str,
  expires_at: opt(str),
  cancel_pending: z.boolean(),
});

/** A lock in force, without the partition and sort keys it is stored under. */
export const LOCK_ITEM = kind("Locks", ["pk", "sk"], LockSchema);

const LockHeadSchema = z.object({ version: num, last_event_hash: str });

/** The lock ledger's head. */
export const LOCK_HEAD_ITEM = kind("Locks", ["pk", "sk"], LockHeadSchema);

/** A rate limiter's counter of one key and window. */
export const COUNTER_ITEM = kind("RateLimits", ["key"], z.object({ count: num }));

const SLACK_LINKS_KEY = ["slack_key"];

/** A Slack user's link to a human; links made before `slack_user_id` was kept have it only in their key. */
export const SLACK_LINK_ITEM = kind(
  "SlackLinks",
  SLACK_LINKS_KEY,
  z.object({ slack_key: str, user_id: str, slack_user_id: opt(str) }),
);

/** A one-time link code and the Slack user it was issued to. */
export const LINK_CODE_ITEM = kind(
  "SlackLinks",
  SLACK_LINKS_KEY,
  z.object({ slack_team_id: str, slack_user_id: str, expires_at_s: num }),
);

/** Compiles only while every schema reads exactly its record: a field on one side only fails here. */
export type SchemasMatchRecords = [
  Assert<Same<z.output<typeof ApprovalSchema>, ApprovalRecord>>,
  Assert<Same<z.output<typeof InboxRowSchema>, InboxRow>>,
  Assert<Same<z.output<typeof StoredTaskSchema>, StoredTask>>,
  Assert<Same<z.output<typeof PolicyVersionSchema>, PolicyVersionRecord>>,
  Assert<Same<z.output<typeof SettingsVersionSchema>, SettingsVersionRecord>>,
  Assert<Same<z.output<typeof LockSchema>, LockRecord>>,
  Assert<Same<z.output<typeof LockHeadSchema>, LedgerHead>>,
];
