import type {
  DryRunBody,
  DryRunResult,
  PolicyView,
  PublishedPolicies,
  PublishPoliciesBody,
} from "../../../contracts/api";
import { PayloadTooLargeError, RateLimitedError } from "../errors";
import { inputSha256 } from "../hashing";
import { evaluateToolCall } from "../policy/evaluate";
import type { CompiledPolicySet } from "../policy/policy-set";
import { MAX_POLICY_TEXT_BYTES } from "../policy/rules";
import type { Principal } from "../principal";
import { freshTaskSnapshot } from "../task";
import type { ControlPlaneDeps } from "./deps";
import { requireToolInputWithinLimit } from "./tool-input-limit";
import { withoutUndefined } from "./transact";

export const PUBLISHES_PER_MINUTE = 10;
/** Dry runs per principal per minute, agents and humans alike. */
export const DRY_RUNS_PER_MINUTE = 60;

function toPolicyView(
  repoId: string,
  version: number,
  set: CompiledPolicySet,
  builtinVersion: string,
): PolicyView {
  const rules = set.rules.map((r) => withoutUndefined({ ...r }));
  return {
    repo_id: repoId,
    version,
    builtin_version: builtinVersion,
    hard: rules.filter((r) => r.tier === "hard"),
    soft: rules.filter((r) => r.tier === "soft"),
    disabled: [...set.disabled],
  };
}

/** The rules in force for a repo's new tasks. */
export async function getPolicies(
  deps: ControlPlaneDeps,
  repoId: string,
  builtinVersion: string,
): Promise<PolicyView> {
  const latest = await deps.policies.latest(repoId);
  return toPolicyView(repoId, latest.version, latest.policySet, builtinVersion);
}

/** Publishes a new immutable version; new tasks of the repo pin it. */
export async function publishPolicies(
  deps: ControlPlaneDeps,
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
    ...toPolicyView(repoId, published.record.version, published.policySet, builtinVersion),
    warnings: [...published.warnings],
  };
}

/**
 * What the repo's policies (or candidate text) would decide for a call on a fresh task. Writes nothing
 * but a rate-limit count: compiling candidate text costs a few hundred milliseconds of CPU, so each
 * principal gets a bounded number of dry runs a minute. The tool input has the limit of a real call.
 */
export async function dryRunPolicies(
  deps: ControlPlaneDeps,
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
      ? deps.policies.candidate(body.policies)
      : (await deps.policies.latest(repoId)).policySet;
  const task = freshTaskSnapshot({
    agent_id: principal.id,
    repo: repoId,
    owner: principal.id,
    read_only: body.read_only ?? false,
  });
  const call = { tool_name: body.tool_name, tool_input: body.tool_input };
  const result = evaluateToolCall({
    task,
    call,
    inputSha256: inputSha256(body.tool_input),
    policies,
    shell: await deps.shell(),
    now: deps.clock.now(),
  });
  return withoutUndefined({
    decision: result.decision,
    source: result.source,
    reason: result.reason,
    rule_ids: [...result.rule_ids],
    severity: result.decision === "REQUIRE_APPROVAL" ? result.severity : undefined,
    timeout_s: result.decision === "REQUIRE_APPROVAL" ? result.timeout_s : undefined,
  });
}
