import { metricsOfEvent } from "../../lambdas/adapters/metrics/event-metrics";
import { chainEvent, type EventType, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";

function ledgerEvent(type: EventType, data: Record<string, unknown>): LedgerEvent {
  return chainEvent(GENESIS_HASH, {
    task_id: "task-1",
    seq: 2,
    type,
    at: "2026-05-01T12:00:00.000Z",
    actor: { kind: "human", id: "bob" },
    data,
  });
}

const decided = (data: Record<string, unknown>) =>
  ledgerEvent("approval.decided", {
    request_id: "01JZ8Q4W6V7X8Y9Z0A1B2C3D4E",
    status: "APPROVED",
    via: "api",
    latency_ms: 4200,
    severity: "high",
    rule_ids: ["soft.git-push-force"],
    ...data,
  });

/** A compact view of the points: `Name{dim=value} value`. */
function summary(event: LedgerEvent): string[] {
  return metricsOfEvent(event).points.map((p) => {
    const dims = Object.entries(p.dimensions).map(([k, v]) => `${k}=${v}`);
    return `${p.name}{${dims.join(",")}} ${p.value}`;
  });
}

describe("metricsOfEvent", () => {
  it.each([
    ["an ALLOW", { decision: "ALLOW", source: "default_allow" }, ["ToolCallsEvaluated{decision=ALLOW} 1"]],
    ["a hard DENY", { decision: "DENY", source: "hard_deny" }, ["ToolCallsEvaluated{decision=DENY} 1"]],
    [
      "a fail-closed DENY",
      { decision: "DENY", source: "fail_closed" },
      ["ToolCallsEvaluated{decision=DENY} 1", "FailClosedDecisions{source=fail_closed} 1"],
    ],
    [
      "a capped DENY",
      { decision: "DENY", source: "cap" },
      ["ToolCallsEvaluated{decision=DENY} 1", "GateCapExceeded{source=cap} 1"],
    ],
    [
      "a rate-limited DENY",
      { decision: "DENY", source: "rate_limit" },
      ["ToolCallsEvaluated{decision=DENY} 1", "ApprovalRateLimited{source=rate_limit} 1"],
    ],
    [
      "a budget DENY",
      { decision: "DENY", source: "budget" },
      ["ToolCallsEvaluated{decision=DENY} 1", "BudgetExhausted{source=budget} 1"],
    ],
  ])("counts %s evaluation by decision and source", (_name, data, expected) => {
    // Act
    const points = summary(ledgerEvent("tool_call.evaluated", { tool_name: "Bash", ...data }));

    // Assess
    expect(points).toEqual(expected);
  });

  it("counts an approval request by severity and as a REQUIRE_APPROVAL evaluation", () => {
    // Act
    const points = summary(ledgerEvent("approval.requested", { severity: "critical", request_id: "r1" }));

    // Assess
    expect(points).toEqual([
      "ToolCallsEvaluated{decision=REQUIRE_APPROVAL} 1",
      "ApprovalsRequested{severity=critical} 1",
    ]);
  });

  it("publishes the decision latency from latency_ms with the status", () => {
    // Act
    const { points } = metricsOfEvent(decided({ status: "DENIED", latency_ms: 812 }));

    // Assess
    expect(points).toEqual([
      { name: "ApprovalDecisions", unit: "Count", value: 1, dimensions: { status: "DENIED" } },
      { name: "ApprovalDecisionLatency", unit: "Milliseconds", value: 812, dimensions: { status: "DENIED" } },
    ]);
  });

  it.each([
    ["missing", undefined, "missing_field"],
    ["a string", "812", "invalid_field"],
    ["negative", -1, "invalid_field"],
    ["not finite", Number.NaN, "invalid_field"],
  ])("never makes up a latency when latency_ms is %s", (_name, latency, reason) => {
    // Act
    const result = metricsOfEvent(decided({ latency_ms: latency }));

    // Assess
    expect(result.points.map((p) => p.name)).not.toContain("ApprovalDecisionLatency");
    expect(result.points).toContainEqual({
      name: "MetricEmitSkipped",
      unit: "Count",
      value: 1,
      dimensions: { reason },
    });
    expect(result.skipped).toEqual([{ reason, event_type: "approval.decided", field: "latency_ms" }]);
  });

  it.each([
    ["tool:Bash", "tool"],
    ["tool_group:file_write", "tool_group"],
    ["command:git push *", "command"],
    ["path:src/**", "path"],
    ["rule:soft.git-push-force", "rule"],
    ["all_session", "all_session"],
  ])("counts a grant of scope %s by its kind", (scope, kind) => {
    // Act
    const points = summary(decided({ scope }));

    // Assess
    expect(points).toContain(`GrantsIssued{scope_kind=${kind}} 1`);
  });

  it("issues no grant for this_call, for a missing scope, or for a denial", () => {
    // Act
    const names = [
      decided({ scope: "this_call" }),
      decided({}),
      decided({ status: "DENIED", scope: "tool:Bash" }),
    ]
      .flatMap((e) => metricsOfEvent(e).points)
      .map((p) => p.name);

    // Assess
    expect(names).not.toContain("GrantsIssued");
  });

  it("keeps dimension values to their closed sets", () => {
    // Act
    const results = [
      metricsOfEvent(decided({ scope: "everything:*" })),
      metricsOfEvent(decided({ status: "MAYBE" })),
      metricsOfEvent(ledgerEvent("approval.requested", { severity: "urgent" })),
      metricsOfEvent(ledgerEvent("tool_call.evaluated", { decision: "PERHAPS", source: "x" })),
    ];

    // Assess
    const reasons = results.flatMap((r) => r.skipped.map((s) => `${s.field}:${s.reason}`));
    expect(reasons).toEqual([
      "scope:unknown_value",
      "status:unknown_value",
      "severity:unknown_value",
      "decision:unknown_value",
    ]);
    const values = results.flatMap((r) => r.points.flatMap((p) => Object.values(p.dimensions)));
    expect(values).not.toEqual(expect.arrayContaining(["everything", "MAYBE", "urgent", "PERHAPS"]));
  });

  it.each<EventType>(["task.created", "grant.revoked", "task.finished", "task.cancelled"])(
    "gives no metrics for %s",
    (type) => {
      // Act
      const result = metricsOfEvent(ledgerEvent(type, {}));

      // Assess
      expect(result).toEqual({ points: [], skipped: [] });
    },
  );
});
