/**
 * The governance part of the REST contract: repo settings that admins publish (who approves, who may be
 * named owner, what an agent may pre-grant itself, which agents may register) and locks, the kill switch
 * at scale. Agents read settings; only admins write either.
 */
import * as z from "zod/mini";
import { HumanIdSchema, LIMITS, ULID_PATTERN } from "./api";
import { bounded, described, int } from "./mini-schemas";
import { LayerVersionSchema, RepoSettingsSchema } from "./record-shapes";
import { canonicalLayerId } from "./repo-id";

export type { RepoSettings } from "./record-shapes";
export { RepoSettingsSchema };

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
  maxNotifyChannels: 20,
} as const;

/**
 * A notification channel as a repo's settings name it: a channel kind, and for kinds with several
 * endpoints the endpoint's id (`slack`, `webhook:ops`).
 */
export const ChannelNameSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z][a-z0-9-]{0,31}(:[a-z0-9][a-z0-9_-]{0,31})?$/,
      "must be a channel name such as slack or webhook:ops",
    ),
  );

/** An identity group such as a Cognito group name. */
export const GroupNameSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[^\s\p{Cc},]+$/u, "must be a group name without spaces, commas or control characters"),
  );

/** An agent id or a glob of agent ids (`*` matches any run), e.g. `arn:aws:sts::123456789012:assumed-role/ci/*`. */
export const AgentPatternSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(2048),
    z.regex(/^[^\s\p{Cc}]+$/u, "must be an agent id or glob without spaces or control characters"),
  );

const TimeoutSchema = bounded(30, 3600);

/**
 * A settings document as an admin publishes it. Every field is optional; an absent field takes the
 * strict default noted on it. Published versions are immutable; new tasks pin the one in force.
 */
export const RepoSettingsBodySchema = z.strictObject({
  /** Who decides every task of the repo. @default nobody */
  approvers: z.optional(
    z.strictObject({
      users: z.optional(z.array(HumanIdSchema).check(z.maxLength(LIMITS.maxApprovers))),
      groups: z.optional(z.array(GroupNameSchema).check(z.maxLength(GOVERNANCE_LIMITS.maxApproverGroups))),
    }),
  ),
  /** Humans an agent may name as a task's owner; `"*"` is anyone. @default ["*"] */
  allowed_owners: z.optional(z.array(HumanIdSchema).check(z.maxLength(GOVERNANCE_LIMITS.maxAllowedOwners))),
  /** Whether the named owner also approves. @default false */
  owner_approves: z.optional(z.boolean()),
  /** Scopes an agent may pre-grant itself in `initial_grants`. @default none */
  pre_grantable_scopes: z.optional(
    z.array(z.string().check(z.maxLength(256))).check(z.maxLength(GOVERNANCE_LIMITS.maxPreGrantableScopes)),
  ),
  /** Agents (ids or globs) that may register tasks on the repo. @default ["*"] */
  allowed_agents: z.optional(
    z.array(AgentPatternSchema).check(z.maxLength(GOVERNANCE_LIMITS.maxAllowedAgents)),
  ),
  /** The approval timeout a task gets, and the most it may ask for. @default 300 and 3600 */
  approval_timeout_s: z.optional(
    z.strictObject({ default: z.optional(TimeoutSchema), max: z.optional(TimeoutSchema) }),
  ),
  /** Approvals every request needs unless a rule asks for more. @default 1 */
  approvals_required: z.optional(bounded(1, GOVERNANCE_LIMITS.maxQuorum)),
  /** The notification channels the repo's requests go to; `[]` is none. @default every channel the deployment configures */
  notify_channels: z.optional(
    z.array(ChannelNameSchema).check(z.maxLength(GOVERNANCE_LIMITS.maxNotifyChannels)),
  ),
});
export type RepoSettingsBody = z.infer<typeof RepoSettingsBodySchema>;

/**
 * `GET`/`PUT /v1/repos/{repo_id}/settings`: the settings in force for a repo or layer and where they
 * come from: the most specific published layer (`repo`, then `owner/*`, then `*`), else the
 * deployment's built-in default (`layer: "default"`, `version: 0`).
 */
export const SettingsViewSchema = z.extend(LayerVersionSchema, {
  repo_id: z.string(),
  settings: RepoSettingsSchema,
  published_by: z.optional(z.string()),
  published_at: described(z.optional(z.string()), { format: "date-time" }),
  warnings: described(z.optional(z.array(z.string())), {
    description: "advice on a published document that is valid but probably not what was meant",
  }),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/** What a lock stops: every task, the tasks of a repo or layer (`acme/*`), or an agent (a glob). */
export type LockTarget = "all" | `repo:${string}` | `agent:${string}`;

const LOCK_TARGET_FORM = "all, repo:<owner/name or owner/*> or agent:<agent id or glob>";

/** A lock's id, as `POST /v1/locks` answered it. */
export const LockIdSchema = z
  .string()
  .check(z.regex(ULID_PATTERN, "must be a lock_id as returned by the API (a ULID)"));

/** `all`, `repo:<repo or owner/*>` or `agent:<agent id or glob>`, canonicalized; `repo:*` is `all`. */
export const LockTargetSchema = z.pipe(
  z.pipe(
    z.string().check(z.maxLength(2100)),
    z.transform((raw: string, ctx): LockTarget => {
      const refuse = (message: string) => {
        ctx.issues.push({ code: "custom", message, input: raw });
        return z.NEVER;
      };
      const text = raw.trim();
      if (text === "all") return "all";
      if (text.startsWith("repo:")) {
        const layer = canonicalLayerId(text.slice("repo:".length));
        if (layer.ok) return layer.id === "*" ? "all" : `repo:${layer.id}`;
        return refuse(`repo lock: ${layer.message}`);
      }
      if (text.startsWith("agent:")) {
        const agent = z.safeParse(AgentPatternSchema, text.slice("agent:".length));
        if (agent.success) return `agent:${agent.data}`;
        return refuse("agent lock: name an agent id or glob, e.g. agent:arn:aws:iam::123456789012:role/ci");
      }
      return refuse("must be 'all', 'repo:<owner/name or owner/*>' or 'agent:<agent id or glob>'");
    }),
  ),
  // What the transform gives, stated for the OpenAPI document.
  described(
    z.custom<LockTarget>((v) => typeof v === "string"),
    { type: "string", description: LOCK_TARGET_FORM },
  ),
);

/** `POST /v1/locks`. */
export const PlaceLockBodySchema = z.strictObject({
  target: LockTargetSchema,
  reason: z.string().check(z.minLength(1), z.maxLength(GOVERNANCE_LIMITS.maxLockReason)),
  /** The lock lifts itself after this long. @default it holds until lifted */
  expires_in_s: z.optional(bounded(GOVERNANCE_LIMITS.minLockSeconds, GOVERNANCE_LIMITS.maxLockSeconds)),
  /** Also cancel the PENDING requests of the tasks it stops. @default false */
  cancel_pending: z.optional(z.boolean()),
});
export type PlaceLockBody = z.infer<typeof PlaceLockBodySchema>;

/** `DELETE /v1/locks/{lock_id}`: an optional note for the audit ledger. */
export const LiftLockBodySchema = z.strictObject({
  reason: z.optional(z.string().check(z.maxLength(GOVERNANCE_LIMITS.maxLockReason))),
});
export type LiftLockBody = z.infer<typeof LiftLockBodySchema>;

/** A lock as served. */
export const LockViewSchema = z.object({
  lock_id: z.string(),
  target: described(z.string(), { description: LOCK_TARGET_FORM }),
  reason: z.string(),
  placed_by: z.string(),
  placed_at: described(z.string(), { format: "date-time" }),
  expires_at: described(z.optional(z.string()), { format: "date-time" }),
  cancel_pending: z.boolean(),
  cancelled_requests: described(z.optional(int()), {
    description: "requests the lock cancelled when it was placed",
  }),
});
export type LockView = Omit<z.infer<typeof LockViewSchema>, "target"> & { target: LockTarget };

/** `GET /v1/locks`: the locks in force, oldest first. */
export const LocksPageSchema = z.object({ items: z.array(LockViewSchema) });
export type LocksPage = { items: LockView[] };
