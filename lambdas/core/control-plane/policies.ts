import type {
  DryRunBody,
  DryRunResult,
  PolicyView,
  PublishedPolicies,
  PublishPoliciesBody,
} from "../../../contracts/api";
import { PayloadTooLargeError, RateLimitedError } from "../errors";
import { approversUnder } from "../governance/settings";
import { inputSha256 } from "../hashing";
import { decideToolCall } from "../policy/evaluate";
import type { CompiledPolicySet } from "../policy/policy-set";
import { MAX_POLICY_TEXT_BYTES } from "../policy/rules";
import type { Principal } from "../principal";
import type { PolicyVersionRecord } from "../records";
import { freshTaskSnapshot } from "../task";
import type { EvaluationDeps, SettingsDeps } from "./deps";
import { resolveSettings } from "./settings";
import { requireToolInputWithinLimit } from "./tool-input-limit";
import { withoutUndefined } from "./transact";

export const PUBLISHES_PER_MINUTE = 10;
/** Dry runs per principal per minute, agents and humans alike. */
export const DRY_RUNS_PER_MINUTE = 60;

function toPolicyView(
  layerId: string,
  layers: readonly PolicyVersionRecord[],
  set: CompiledPolicySet,
  builtinVersion: string,
): PolicyView {
  const rules = set.rules.map((r) => withoutUndefined({ ...r }));
  return {
    repo_id: layerId,
    version: layers.find((l) => l.repo_id === layerId)?.version ?? 0,
    builtin_version: builtinVersion,
    layers: layers.map((l) => ({
      layer: l.repo_id,
      version: l.version,
      published_by: l.published_by,
      published_at: l.published_at,
    })),
    hard: rules.filter((r) => r.tier === "hard"),
    soft: rules.filter((r) => r.tier === "soft"),
    disabled: [...set.disabled],
  };
}

/** The rules in force for a repo's new tasks (or a wider layer's), with every layer they come from. */
export async function getPolicies(
  deps: EvaluationDeps,
  layerId: string,
  builtinVersion: string,
): Promise<PolicyView> {
  const latest = await deps.policies.latest(layerId);
  return toPolicyView(layerId, latest.layers, latest.policySet, builtinVersion);
}

/** Publishes a layer's next immutable version; new tasks of the repos it covers pin it. */
export async function publishPolicies(
  deps: EvaluationDeps,
  admin: Principal,
  repoId: string,
  body: PublishPoliciesBody,
  builtinVersion: string,
): Promise<PublishedPolicies> {
  const now = deps.clock.now();
  const limit = await deps.rateLimiter.hit(`publish#${admin.id}`, PUBLISHES_PER_MINUTE, 60, now);
  if (!limit.allowed) throw new RateLimitedError("policy publishes", limit.retryAfterS);
  const published = await deps.policies.publish(repoId, body.policies, body.disable ?? [], admin.id, now);
  return {
    ...toPolicyView(repoId, published.layers, published.policySet, builtinVersion),
    warnings: [...published.warnings],
  };
}

/**
 * What the repo's policies (or candidate text) would decide for a call on a fresh task. Writes nothing
 * but a rate-limit count: compiling candidate text costs a few hundred milliseconds of CPU, so each
 * principal gets a bounded number of dry runs a minute. The tool input has the limit of a real call.
 */
export async function dryRunPolicies(
  deps: EvaluationDeps & SettingsDeps,
  principal: Principal,
  repoId: string,
  body: DryRunBody,
): Promise<DryRunResult> {
  requireToolInputWithinLimit(body.tool_input);
  const candidateBytes = body.policies === undefined ? 0 : Buffer.byteLength(body.policies, "utf8");
  if (candidateBytes > MAX_POLICY_TEXT_BYTES) {
    throw new PayloadTooLargeError(
      `policies is ${candidateBytes} bytes; candidate text, like published text, may be at most ${MAX_POLICY_TEXT_BYTES} bytes. Split or simplify it.`,
    );
  }
  const limit = await deps.rateLimiter.hit(
    `dry-run#${principal.kind}#${principal.id}`,
    DRY_RUNS_PER_MINUTE,
    60,
    deps.clock.now(),
  );
  if (!limit.allowed) throw new RateLimitedError("policy dry runs", limit.retryAfterS);
  const policies =
    body.policies !== undefined
      ? await deps.policies.candidate(repoId, body.policies)
      : (await deps.policies.latest(repoId)).policySet;
  // Judged as a task of the caller's, with the approvers the repo's settings would give it.
  const { settings } = await resolveSettings(deps, repoId);
  const task = freshTaskSnapshot(
    { agent_id: principal.id, repo: repoId, owner: principal.id, read_only: body.read_only ?? false },
    {
      approvers: approversUnder(settings, principal.id),
      approver_groups: settings.approvers.groups,
      approvals_required: settings.approvals_required,
    },
  );
  const call = { tool_name: body.tool_name, tool_input: body.tool_input };
  const result = decideToolCall({
    task,
    call,
    inputSha256: inputSha256(body.tool_input),
    policies,
    shell: await deps.shell(),
    locks: await deps.locks.active(deps.clock.now()),
    now: deps.clock.now(),
  });
  return withoutUndefined({
    decision: result.decision,
    source: result.source,
    reason: result.reason,
    rule_ids: [...result.rule_ids],
    severity: result.decision === "REQUIRE_APPROVAL" ? result.severity : undefined,
    timeout_s: result.decision === "REQUIRE_APPROVAL" ? result.timeout_s : undefined,
    approvals_required: result.decision === "REQUIRE_APPROVAL" ? result.approvals_required : undefined,
  });
}
