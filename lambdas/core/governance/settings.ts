import type { LayerVersion } from "../../../contracts/api";
import type { RepoSettings, RepoSettingsBody } from "../../../contracts/governance";
import type { FieldProblem } from "../errors";
import { globMatches } from "../glob";
import { APPROVER_GROUP } from "../principal";
import { sanitizeLine } from "../sanitize";
import { parseScope } from "../scopes";

/** The layer name of the deployment's built-in default settings, which no admin published. */
export const DEFAULT_SETTINGS_LAYER = "default";

/** Any human may be named owner. */
export const ANY_OWNER = "*";

/** What an absent field of a published document means: the strict choice. */
export const SETTINGS_FIELD_DEFAULTS: RepoSettings = {
  approvers: { users: [], groups: [] },
  allowed_owners: [ANY_OWNER],
  owner_approves: false,
  pre_grantable_scopes: [],
  allowed_agents: ["*"],
  approval_timeout_s: { default: 300, max: 3600 },
  approvals_required: 1,
};

/** The deployment-wide defaults a process can start with, for repos no admin published settings for. */
export type DefaultSettingsProfile = "local" | "strict";

/**
 * `local`: the agent names the owner and the owner approves, so a laptop works out of the box (and
 * `gates doctor` warns about it). `strict`: the named owner only watches; members of the
 * `gates-approvers` group decide. Deployments start strict.
 */
export const DEFAULT_SETTINGS: Readonly<Record<DefaultSettingsProfile, RepoSettings>> = {
  local: { ...SETTINGS_FIELD_DEFAULTS, owner_approves: true },
  strict: { ...SETTINGS_FIELD_DEFAULTS, approvers: { users: [], groups: [APPROVER_GROUP] } },
};

/** Settings in force for a repo, and where they come from. */
export interface ResolvedSettings {
  readonly source: LayerVersion;
  readonly settings: RepoSettings;
}

/** "the settings of acme/* (version 2)" or "the deployment's default settings". */
export function describeSource(source: LayerVersion): string {
  return source.layer === DEFAULT_SETTINGS_LAYER
    ? "the deployment's default settings"
    : `the settings of ${source.layer} (version ${source.version})`;
}

/** Whether agents choose who approves: they may name any owner, and the owner approves. */
export function agentsNameApprovers(settings: RepoSettings): boolean {
  return settings.owner_approves && settings.allowed_owners.includes(ANY_OWNER);
}

/** The humans who approve a task of `owner` under these settings: the owner first when it may, then the listed ones. */
export function approversUnder(settings: RepoSettings, owner: string): string[] {
  const listed = settings.approvers.users.filter((u) => !(settings.owner_approves && u === owner));
  return settings.owner_approves ? [owner, ...listed] : listed;
}

export type NormalizedSettings =
  | { readonly ok: true; readonly settings: RepoSettings; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const unique = (items: readonly string[]) => [...new Set(items)];

/**
 * A published document with every field filled in, its scopes canonical and lists without repeats,
 * or every problem in it. Warnings flag documents that are valid but likely a mistake.
 */
export function normalizeSettings(body: RepoSettingsBody): NormalizedSettings {
  const d = SETTINGS_FIELD_DEFAULTS;
  const problems: FieldProblem[] = [];
  const warnings: string[] = [];

  const scopes: string[] = [];
  (body.pre_grantable_scopes ?? []).forEach((raw, i) => {
    // Scopes are stored and shown only as the sanitizer leaves them, like those of grants.
    const parsed = parseScope(sanitizeLine(raw));
    const field = `pre_grantable_scopes[${i}]`;
    if (!parsed.ok) problems.push({ field, message: parsed.message });
    else if (parsed.scope.kind === "this_call")
      problems.push({ field, message: "this_call grants nothing beyond one call; remove it" });
    else scopes.push(parsed.canonical);
  });

  const timeout = {
    default:
      body.approval_timeout_s?.default ??
      Math.min(d.approval_timeout_s.default, body.approval_timeout_s?.max ?? Infinity),
    max: body.approval_timeout_s?.max ?? d.approval_timeout_s.max,
  };
  if (timeout.default > timeout.max) {
    problems.push({
      field: "approval_timeout_s.default",
      message: `${timeout.default} is over approval_timeout_s.max (${timeout.max}); lower it or raise the maximum`,
    });
  }

  const settings: RepoSettings = {
    approvers: {
      users: unique(body.approvers?.users ?? d.approvers.users),
      groups: unique(body.approvers?.groups ?? d.approvers.groups),
    },
    allowed_owners: unique(body.allowed_owners ?? d.allowed_owners),
    owner_approves: body.owner_approves ?? d.owner_approves,
    pre_grantable_scopes: unique(scopes),
    allowed_agents: unique(body.allowed_agents ?? d.allowed_agents),
    approval_timeout_s: timeout,
    approvals_required: body.approvals_required ?? d.approvals_required,
    ...(body.notify_channels ? { notify_channels: unique(body.notify_channels) } : {}),
  };

  const { users, groups } = settings.approvers;
  const reachable = users.length + (settings.owner_approves ? 1 : 0);
  if (groups.length === 0 && reachable > 0 && settings.approvals_required > reachable) {
    problems.push({
      field: "approvals_required",
      message: `${settings.approvals_required} approvals can never be reached with ${reachable} possible approver(s); list more approvers.users, add approvers.groups or lower it`,
    });
  }
  if (settings.allowed_owners.length === 0) {
    problems.push({
      field: "allowed_owners",
      message: 'no owner could ever be named, so no task could register; list owners or use ["*"]',
    });
  }
  if (settings.allowed_agents.length === 0) {
    problems.push({
      field: "allowed_agents",
      message: 'no agent could ever register; list agent ids or globs, or use ["*"]',
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  if (reachable === 0 && groups.length === 0) {
    warnings.push(
      "nobody can approve: approvers is empty and owner_approves is false, so every task registration is refused",
    );
  }
  if (agentsNameApprovers(settings)) {
    warnings.push(
      'allowed_owners is ["*"] and owner_approves is true: an agent can name anyone, itself included, as the human who approves',
    );
  }
  if (settings.pre_grantable_scopes.includes("all_session")) {
    warnings.push("pre_grantable_scopes has all_session: an agent may skip every soft rule of its task");
  }
  return { ok: true, settings, warnings };
}

/** One reason a registration is refused, naming the field sent and the setting that refused it. */
export interface SettingsRefusal {
  readonly field: string;
  readonly setting: string;
  readonly message: string;
}

/** What an agent asks for when it registers a task; `initial_grants` already canonical. */
export interface RegistrationRequest {
  readonly agentId: string;
  readonly owner: string;
  readonly approvers?: readonly string[];
  readonly initialGrants: readonly { readonly field: string; readonly scope: string }[];
  readonly approvalTimeoutS?: number;
}

/** Who decides the task and what it starts with, as the settings allow. */
export interface Admission {
  /** The owner first when the owner approves, then the listed approvers. */
  readonly approvers: readonly string[];
  readonly approverGroups: readonly string[];
  readonly grants: readonly string[];
  readonly approvalTimeoutS: number;
  readonly approvalsRequired: number;
}

export type AdmissionResult =
  | { readonly ok: true; readonly admission: Admission }
  | { readonly ok: false; readonly refusals: readonly SettingsRefusal[] };

const MAX_LISTED = 5;

function listed(items: readonly string[]): string {
  if (items.length === 0) return "none";
  const shown = items.slice(0, MAX_LISTED).join(", ");
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

/**
 * Decides a registration against the repo's settings: the agent must be allowed, the owner must be
 * one it may name, every approver it names must be listed in `approvers.users` already (naming
 * changes nothing; it only fails loudly), and every pre-grant must be listed.
 * The approvers come from the settings, never from the agent. Every refusal is reported.
 */
export function admitTask(resolved: ResolvedSettings, request: RegistrationRequest): AdmissionResult {
  const { settings } = resolved;
  const where = describeSource(resolved.source);
  const refusals: SettingsRefusal[] = [];

  if (!settings.allowed_agents.some((pattern) => globMatches(pattern, request.agentId))) {
    refusals.push({
      field: "agent",
      setting: "allowed_agents",
      message: `agent "${request.agentId}" may not register tasks here: allowed_agents of ${where} does not match it`,
    });
  }
  const ownerAllowed =
    settings.allowed_owners.includes(ANY_OWNER) || settings.allowed_owners.includes(request.owner);
  if (!ownerAllowed) {
    refusals.push({
      field: "owner",
      setting: "allowed_owners",
      message: `"${request.owner}" may not be named owner: allowed_owners of ${where} is ${listed(settings.allowed_owners)}`,
    });
  }

  const approvers = approversUnder(settings, request.owner);
  // Naming an approver is never how one becomes one: even the owner approves only by the settings.
  (request.approvers ?? []).forEach((named, i) => {
    if (settings.approvers.users.includes(named)) return;
    refusals.push({
      field: `approvers[${i}]`,
      setting: "approvers",
      message: `agents cannot choose who approves: "${named}" is not an approver under ${where} (approvers.users: ${listed(settings.approvers.users)}${settings.approvers.groups.length > 0 ? `; groups: ${listed(settings.approvers.groups)}` : ""}); leave approvers out`,
    });
  });
  if (approvers.length === 0 && settings.approvers.groups.length === 0) {
    refusals.push({
      field: "owner",
      setting: "approvers",
      message: `nobody could approve this task: ${where} lists no approvers and owner_approves is false; an admin publishes settings with approvers (gates repos settings push)`,
    });
  }

  for (const grant of request.initialGrants) {
    if (settings.pre_grantable_scopes.includes(grant.scope)) continue;
    refusals.push({
      field: grant.field,
      setting: "pre_grantable_scopes",
      message: `an agent may not pre-grant itself "${grant.scope}": pre_grantable_scopes of ${where} is ${listed(settings.pre_grantable_scopes)}; a human can grant it when approving`,
    });
  }

  const timeout =
    request.approvalTimeoutS ??
    Math.min(settings.approval_timeout_s.default, settings.approval_timeout_s.max);
  if (timeout > settings.approval_timeout_s.max) {
    refusals.push({
      field: "approval_timeout_s",
      setting: "approval_timeout_s.max",
      message: `${timeout} s is over approval_timeout_s.max of ${where} (${settings.approval_timeout_s.max} s)`,
    });
  }

  if (refusals.length > 0) return { ok: false, refusals };
  return {
    ok: true,
    admission: {
      approvers,
      approverGroups: [...settings.approvers.groups],
      grants: request.initialGrants.map((g) => g.scope),
      approvalTimeoutS: timeout,
      approvalsRequired: settings.approvals_required,
    },
  };
}
