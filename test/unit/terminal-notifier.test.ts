import { marshall } from "@aws-sdk/util-dynamodb";
import { toLambdaStreamRecord } from "../../lambdas/adapters/stream/stream-consumer";
import { chainEvent, type EventType, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";
import { terminalNotifier } from "../../local/terminal-notifier";

const NOW = Date.parse("2026-05-01T12:00:00.000Z");
const REQUEST_ID = "01JZ8Q4W6V7X8Y9Z0A1B2C3D4E";
const BASE_URL = "http://127.0.0.1:3000";

function ledgerEvent(
  type: EventType,
  data: Record<string, unknown>,
  seq = 2,
  taskId = "task:7",
): LedgerEvent {
  return chainEvent(GENESIS_HASH, {
    task_id: taskId,
    seq,
    type,
    at: new Date(NOW).toISOString(),
    actor: { kind: "agent", id: "agent-1" },
    data,
  });
}

const requested = (data: Record<string, unknown> = {}): LedgerEvent =>
  ledgerEvent("approval.requested", {
    request_id: REQUEST_ID,
    tool_name: "Bash",
    input_sha256: "ab".repeat(32),
    tool_input_preview: '{"command":"rm -rf build\u001b[2J\u001b]0;pwned\u0007 \u202eok"}',
    rule_ids: ["soft.rm-rf", "soft.shell"],
    severity: "high",
    reason: "Deletes files recursively",
    timeout_s: 300,
    expires_at: "2026-05-01T12:05:00.000Z",
    approvers: ["alice", "bob"],
    ...data,
  });

/** Runs the notifier over events as the stream would deliver them, and returns what it wrote. */
async function notify(events: readonly LedgerEvent[], color = false) {
  const written: string[] = [];
  const consumer = terminalNotifier({
    write: (text) => written.push(text),
    baseUrl: BASE_URL,
    color,
    now: () => NOW,
  });
  const records = events.map((event, index) =>
    toLambdaStreamRecord(
      { eventName: "INSERT", dynamodb: { NewImage: marshall(event), SequenceNumber: String(index + 1) } },
      "arn:aws:dynamodb:local:000000000000:table/Events/stream/1",
    ),
  );
  const response = await consumer({ Records: records });
  return { written, failures: response.batchItemFailures };
}

describe("terminalNotifier", () => {
  it("prints a requested approval with the exact commands to decide it", async () => {
    // Act
    const { written, failures } = await notify([requested()]);

    // Assess
    expect(failures).toEqual([]);
    expect(written).toHaveLength(1);
    const block = written[0] ?? "";
    expect(block).toContain(
      `curl -s -X POST ${BASE_URL}/v1/tasks/task%3A7/approve -H 'authorization: Bearer local:human:alice' -H 'content-type: application/json' -d '{"request_id":"${REQUEST_ID}"}'`,
    );
    expect(block).toContain(
      `curl -s -X POST ${BASE_URL}/v1/tasks/task%3A7/deny -H 'authorization: Bearer local:human:alice' -H 'content-type: application/json' -d '{"request_id":"${REQUEST_ID}"}'`,
    );
    expect(block).toContain(`gates approve task:7 ${REQUEST_ID}`);
    expect(block).toContain(`gates deny task:7 ${REQUEST_ID} --reason "…"`);
    expect(block).toContain("Bash");
    expect(block).toContain("HIGH");
    expect(block).toContain("soft.rm-rf, soft.shell");
    expect(block).toContain("Deletes files recursively");
    expect(block).toContain("2026-05-01T12:05:00.000Z (300 s left)");
    expect(block).toContain("task:7");
  });

  it("prints the preview as data, with escapes and controls stripped", async () => {
    // Act
    const { written } = await notify([requested()]);

    // Assess
    const block = written[0] ?? "";
    expect(block).toContain('{"command":"rm -rf build ok"}');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding leftover control characters is the point.
    expect(block.replaceAll("\n", "")).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it("shows the repo remembered from the task's creation", async () => {
    // Prepare
    const created = ledgerEvent("task.created", { repo: "acme/api", owner: "alice" }, 1);

    // Act
    const { written } = await notify([created, requested()]);

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/repo\s+acme\/api/);
  });

  it("colours severity only when asked", async () => {
    // Act
    const plain = await notify([requested({ severity: "critical" })]);
    const coloured = await notify([requested({ severity: "critical" })], true);

    // Assess
    expect(plain.written[0]).toContain("CRITICAL");
    expect(plain.written[0]).not.toContain("\x1b[");
    expect(coloured.written[0]).toContain("\x1b[1;7;31mCRITICAL\x1b[0m");
  });

  it("quotes an approver id that a shell would otherwise read", async () => {
    // Act
    const { written } = await notify([requested({ approvers: ["o'brien;rm"] })]);

    // Assess
    expect(written[0]).toContain(`-H 'authorization: Bearer local:human:o'\\''brien;rm'`);
  });

  it("prints a decision on one line with outcome, who, via and latency", async () => {
    // Prepare
    const decided = ledgerEvent("approval.decided", {
      request_id: REQUEST_ID,
      status: "APPROVED",
      decided_by: "alice",
      via: "api",
      latency_ms: 12_345,
      severity: "high",
      rule_ids: ["soft.rm-rf"],
    });

    // Act
    const { written } = await notify([decided]);

    // Assess
    expect(written).toEqual([`Approval APPROVED: task:7/${REQUEST_ID} by alice via api after 12.3 s\n`]);
  });

  it("says when a request needs several approvers, and not its owner", async () => {
    // Act
    const { written } = await notify([requested({ approvals_required: 2, approver_not_owner: true })]);

    // Assess
    expect(written[0]).toContain("  approvals 2 distinct approvers, not the task's owner\n");
  });

  it("prints each vote of a quorum, and the decision with everyone who approved", async () => {
    // Prepare
    const voted = ledgerEvent("approval.voted", {
      request_id: REQUEST_ID,
      by: "bob",
      via: "api",
      scope: "this_call",
      approved_by: ["bob"],
      approvals_required: 2,
      progress: "1 of 2 approvals (bob)",
    });
    const decided = ledgerEvent("approval.decided", {
      request_id: REQUEST_ID,
      status: "APPROVED",
      decided_by: "carol",
      approved_by: ["bob", "carol"],
      via: "slack",
      latency_ms: 900,
    });

    // Act
    const { written } = await notify([voted, decided]);

    // Assess
    expect(written).toEqual([
      `Approval vote: task:7/${REQUEST_ID} by bob — 1 of 2 approvals (bob)\n`,
      `Approval APPROVED: task:7/${REQUEST_ID} by bob, carol via slack after 900 ms\n`,
    ]);
  });

  it("prints nothing for other events", async () => {
    // Act
    const { written } = await notify([
      ledgerEvent("task.created", { repo: "acme/api" }, 1),
      ledgerEvent("tool_call.evaluated", { tool_name: "Read", decision: "ALLOW" }),
      ledgerEvent("task.finished", { status: "COMPLETED" }),
    ]);

    // Assess
    expect(written).toEqual([]);
  });

  it("fails, rather than skips, a record whose image is not a ledger event", async () => {
    // Prepare
    const consumer = terminalNotifier({ write: () => undefined, baseUrl: BASE_URL });
    const record = toLambdaStreamRecord(
      {
        eventName: "INSERT",
        dynamodb: { NewImage: marshall({ task_id: "t", seq: 1 }), SequenceNumber: "9" },
      },
      "arn",
    );

    // Act
    const response = await consumer({ Records: [record] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "9" }]);
  });

  it.each([
    ["an empty requested event", ledgerEvent("approval.requested", {})],
    [
      "a requested event with odd types",
      requested({ rule_ids: "x", approvers: [7, null], expires_at: "soon" }),
    ],
    ["an empty decided event", ledgerEvent("approval.decided", {})],
  ])("prints what is there for %s without failing", async (_name, event) => {
    // Act
    const { written, failures } = await notify([event]);

    // Assess
    expect(failures).toEqual([]);
    expect(written).toHaveLength(1);
  });
});
