import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type PolicyFixture, PolicyFixtureSchema } from "../../contracts/policy-fixture";
import { parseScope } from "../../lambdas/core/scopes";
import { freshTaskSnapshot, type TaskSnapshot } from "../../lambdas/core/task";

export const POLICY_FIXTURE_DIR = join(__dirname, "../../contracts/fixtures/policy");

/** Every golden policy case, parsed and checked against its schema. */
export function loadPolicyFixtures(): { file: string; fixture: PolicyFixture }[] {
  return readdirSync(POLICY_FIXTURE_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      fixture: PolicyFixtureSchema.parse(JSON.parse(readFileSync(join(POLICY_FIXTURE_DIR, file), "utf8"))),
    }));
}

/** A fresh RUNNING task with the fixture's overrides; grants are stored canonical, as approve stores them. */
export function fixtureTask(fixture: PolicyFixture): TaskSnapshot {
  const t = fixture.task;
  return freshTaskSnapshot(
    { agent_id: "agent-1", repo: "acme/app", owner: "alice", read_only: t.read_only },
    {
      ...(t.status ? { status: t.status } : {}),
      ...(t.approval_timeout_s ? { approval_timeout_s: t.approval_timeout_s } : {}),
      ...(t.approval_gate_cap ? { approval_gate_cap: t.approval_gate_cap } : {}),
      ...(t.max_tool_calls ? { max_tool_calls: t.max_tool_calls } : {}),
      counters: { tool_calls: t.tool_calls ?? 0, approvals_requested: t.approvals_requested ?? 0 },
      pending_request_ids: Array.from(
        { length: t.pending_requests ?? 0 },
        (_, i) => `01JPENDING${String(i).padStart(16, "0")}`,
      ),
      grants: (t.grants ?? []).map((raw) => {
        const parsed = parseScope(raw);
        return {
          scope: parsed.ok ? parsed.canonical : raw,
          granted_by: { kind: "human" as const, id: "alice" },
          granted_at: "2026-11-22T12:00:00.000Z",
        };
      }),
    },
  );
}
