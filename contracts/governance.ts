/**
 * The governance part of the REST contract: repo settings that admins publish (who approves, who may be
 * named owner, what an agent may pre-grant itself, which agents may register) and locks, the kill switch
 * at scale. Agents read settings; only admins write either.
 */
import { z } from "zod";
import { HumanIdSchema, LayerVersionSchema, LIMITS, ULID_PATTERN } from "./api";
import { canonicalLayerId } from "./repo-id";

/** Limits of the governance routes, in one place. */
export const GOVERNANCE_LIMITS = {
  maxApproverGroups: 20,
  maxAllowedOwners: 100,
  maxPreGrantableScopes: 20,
  maxAllowedAgents: 50,
  maxQuorum: 10,
  /** Locks held at once; every evaluation checks them all. */
  maxActiveLocks: 100,
  maxLockReason: 1000,
  minLockSeconds: 60,
  maxLockSeconds: 30 * 24 * 3600,
} as const;

/** An identity group such as a Cognito group name. */
export const GroupNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s\p{Cc},]+$/u, "must be a group name without spaces, commas or control characters");

/** An agent id or a glob of agent ids (`*` matches any run), e.g. `arn:aws:sts::123456789012:assumed-role/ci/*`. */
export const AgentPatternSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[^\s\p{Cc}]+$/u, "must be an agent id or glob without spaces or control characters");

const TimeoutSchema = z.number().int().min(30).max(3600);

/**
 * A settings document as an admin publishes it. Every field is optional; an absent field takes the
 * strict default noted on it. Published versions are immutable; new tasks pin the one in force.
 */
export const RepoSettingsBodySchema = z.strictObject({
  /** Who decides every task of the repo. @default nobody */
  approvers: z
    .strictObject({
      users: z.array(HumanIdSchema).max(LIMITS.maxApprovers).optional(),
      groups: z.array(GroupNameSchema).max(GOVERNANCE_LIMITS.maxApproverGroups).optional(),
    })
    .optional(),
  /** Humans an agent may name as a task's owner; `"*"` is anyone. @default ["*"] */
  allowed_owners: z.array(HumanIdSchema).max(GOVERNANCE_LIMITS.maxAllowedOwners).optional(),
  /** Whether the named owner also approves. @default false */
  owner_approves: z.boolean().optional(),
  /** Scopes an agent may pre-grant itself in `initial_grants`. @default none */
  pre_grantable_scopes: z.array(z.string().max(256)).max(GOVERNANCE_LIMITS.maxPreGrantableScopes).optional(),
  /** Agents (ids or globs) that may register tasks on the repo. @default ["*"] */
  allowed_agents: z.array(AgentPatternSchema).max(GOVERNANCE_LIMITS.maxAllowedAgents).optional(),
  /** The approval timeout a task gets, and the most it may ask for. @default 300 and 3600 */
  approval_timeout_s: z
    .strictObject({ default: TimeoutSchema.optional(), max: TimeoutSchema.optional() })
    .optional(),
  /** Approvals every request needs unless a rule asks for more. @default 1 */
  approvals_required: z.number().int().min(1).max(GOVERNANCE_LIMITS.maxQuorum).optional(),
});
export type RepoSettingsBody = z.infer<typeof RepoSettingsBodySchema>;

/** Settings with every field filled in, as stored and as served. */
export const RepoSettingsSchema = z.object({
  approvers: z.object({ users: z.array(z.string()), groups: z.array(z.string()) }),
  allowed_owners: z.array(z.string()),
  owner_approves: z.boolean(),
  pre_grantable_scopes: z.array(z.string()),
  allowed_agents: z.array(z.string()),
  approval_timeout_s: z.object({ default: z.number().int(), max: z.number().int() }),
  approvals_required: z.number().int(),
});
export type RepoSettings = z.infer<typeof RepoSettingsSchema>;

/**
 * `GET`/`PUT /v1/repos/{repo_id}/settings`: the settings in force for a repo or layer and where they
 * come from: the most specific published layer (`repo`, then `owner/*`, then `*`), else the
 * deployment's built-in default (`layer: "default"`, `version: 0`).
 */
export const SettingsViewSchema = LayerVersionSchema.extend({
  repo_id: z.string(),
  settings: RepoSettingsSchema,
  published_by: z.string().optional(),
  published_at: z.string().optional().meta({ format: "date-time" }),
  warnings: z
    .array(z.string())
    .optional()
    .meta({ description: "advice on a published document that is valid but probably not what was meant" }),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/** What a lock stops: every task, the tasks of a repo or layer (`acme/*`), or an agent (a glob). */
export type LockTarget = "all" | `repo:${string}` | `agent:${string}`;

const LOCK_TARGET_FORM = "all, repo:<owner/name or owner/*> or agent:<agent id or glob>";

/** A lock's id, as `POST /v1/locks` answered it. */
export const LockIdSchema = z
  .string()
  .regex(ULID_PATTERN, "must be a lock_id as returned by the API (a ULID)");

/** `all`, `repo:<repo or owner/*>` or `agent:<agent id or glob>`, canonicalized; `repo:*` is `all`. */
export const LockTargetSchema = z
  .string()
  .max(2100)
  .transform((raw, ctx): LockTarget => {
    const text = raw.trim();
    if (text === "all") return "all";
    if (text.startsWith("repo:")) {
      const layer = canonicalLayerId(text.slice("repo:".length));
      if (layer.ok) return layer.id === "*" ? "all" : `repo:${layer.id}`;
      ctx.addIssue({ code: "custom", message: `repo lock: ${layer.message}` });
      return z.NEVER;
    }
    if (text.startsWith("agent:")) {
      const agent = AgentPatternSchema.safeParse(text.slice("agent:".length));
      if (agent.success) return `agent:${agent.data}`;
      ctx.addIssue({
        code: "custom",
        message: "agent lock: name an agent id or glob, e.g. agent:arn:aws:iam::123456789012:role/ci",
      });
      return z.NEVER;
    }
    ctx.addIssue({
      code: "custom",
      message: "must be 'all', 'repo:<owner/name or owner/*>' or 'agent:<agent id or glob>'",
    });
    return z.NEVER;
  })
  // What the transform gives, stated for the OpenAPI document.
  .pipe(
    z
      .custom<LockTarget>((v) => typeof v === "string")
      .meta({ type: "string", description: LOCK_TARGET_FORM }),
  );

/** `POST /v1/locks`. */
export const PlaceLockBodySchema = z.strictObject({
  target: LockTargetSchema,
  reason: z.string().min(1).max(GOVERNANCE_LIMITS.maxLockReason),
  /** The lock lifts itself after this long. @default it holds until lifted */
  expires_in_s: z
    .number()
    .int()
    .min(GOVERNANCE_LIMITS.minLockSeconds)
    .max(GOVERNANCE_LIMITS.maxLockSeconds)
    .optional(),
  /** Also cancel the PENDING requests of the tasks it stops. @default false */
  cancel_pending: z.boolean().optional(),
});
export type PlaceLockBody = z.infer<typeof PlaceLockBodySchema>;

/** `DELETE /v1/locks/{lock_id}`: an optional note for the audit ledger. */
export const LiftLockBodySchema = z.strictObject({
  reason: z.string().max(GOVERNANCE_LIMITS.maxLockReason).optional(),
});
export type LiftLockBody = z.infer<typeof LiftLockBodySchema>;

/** A lock as served. */
export const LockViewSchema = z.object({
  lock_id: z.string(),
  target: z.string().meta({ description: LOCK_TARGET_FORM }),
  reason: z.string(),
  placed_by: z.string(),
  placed_at: z.string().meta({ format: "date-time" }),
  expires_at: z.string().optional().meta({ format: "date-time" }),
  cancel_pending: z.boolean(),
  cancelled_requests: z
    .number()
    .int()
    .optional()
    .meta({ description: "requests the lock cancelled when it was placed" }),
});
export type LockView = Omit<z.infer<typeof LockViewSchema>, "target"> & { target: LockTarget };

/** `GET /v1/locks`: the locks in force, oldest first. */
export const LocksPageSchema = z.object({ items: z.array(LockViewSchema) });
export type LocksPage = { items: LockView[] };
