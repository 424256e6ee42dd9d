/**
 * Shapes the API serves and the tables store alike: a request's status, how it was decided, who
 * granted a scope, a layer version and a settings document. They live apart from the answers'
 * schemas so the Lambda functions, which read stored items through them, carry none of the rest.
 */
import * as z from "zod/mini";
import { int } from "./mini-schemas";

export const ApprovalStatusSchema = z.enum(["PENDING", "APPROVED", "DENIED", "TIMED_OUT", "CANCELLED"]);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;
export const ViaSchema = z.enum(["api", "slack", "system"]);
export type Via = z.infer<typeof ViaSchema>;

/** Who really granted a scope: the agent (a pre-grant its repo's settings allow), a human, or a policy. */
export const GrantorSchema = z.object({
  kind: z.enum(["agent", "human", "policy"]),
  id: z.string(),
});
export type Grantor = z.infer<typeof GrantorSchema>;

/** A published version of one layer of rules or settings: `*`, `owner/*` or a repo. */
export const LayerVersionSchema = z.object({
  layer: z.string(),
  version: int(),
});
export type LayerVersion = z.infer<typeof LayerVersionSchema>;

/** Settings with every field filled in, as stored and as served. */
export const RepoSettingsSchema = z.object({
  approvers: z.object({ users: z.array(z.string()), groups: z.array(z.string()) }),
  allowed_owners: z.array(z.string()),
  owner_approves: z.boolean(),
  pre_grantable_scopes: z.array(z.string()),
  allowed_agents: z.array(z.string()),
  approval_timeout_s: z.object({ default: int(), max: int() }),
  approvals_required: int(),
  /** Absent: every channel the deployment configures. */
  notify_channels: z.optional(z.array(z.string())),
});
export type RepoSettings = z.infer<typeof RepoSettingsSchema>;
