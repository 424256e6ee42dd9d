import type { DynamoDBRecord } from "aws-lambda";
import { createEmfPublisher } from "../../lambdas/adapters/metrics/emf-publisher";
import { metricsConsumer } from "../../lambdas/adapters/metrics/metrics-consumer";
import { handler } from "../../lambdas/handlers/metrics-publisher";

const STREAM_ARN =
  "arn:aws:dynamodb:eu-west-1:123456789012:table/ApprovalGates-Events/stream/2026-05-01T00:00:00.000";

/** An `approval.decided` INSERT exactly as Lambda's event source mapping delivers it. */
const RECORDED_DECIDED: DynamoDBRecord = {
  eventID: "c81e728d9d4c2f636f067f89cc14862c",
  eventName: "INSERT",
  eventVersion: "1.1",
  eventSource: "aws:dynamodb",
  awsRegion: "eu-west-1",
  eventSourceARN: STREAM_ARN,
  dynamodb: {
    ApproximateCreationDateTime: 1777636805,
    Keys: { task_id: { S: "t-1" }, seq: { N: "3" } },
    NewImage: {
      task_id: { S: "t-1" },
      seq: { N: "3" },
      type: { S: "approval.decided" },
      at: { S: "2026-05-01T12:00:05.120Z" },
      actor: { M: { kind: { S: "human" }, id: { S: "bob" } } },
      data: {
        M: {
          request_id: { S: "01JZ8Q4W6V7X8Y9Z0A1B2C3D4E" },
          status: { S: "APPROVED" },
          decided_by: { S: "bob" },
          via: { S: "api" },
          scope: { S: "tool:Bash" },
          latency_ms: { N: "5120" },
          severity: { S: "high" },
          rule_ids: { L: [{ S: "soft.git-push-force" }] },
        },
      },
      prev_hash: { S: "a".repeat(64) },
      hash: { S: "b".repeat(64) },
    },
    SequenceNumber: "300000000000000000003",
    SizeBytes: 412,
    StreamViewType: "NEW_IMAGE",
  },
};

/** The same shape for another event type, seq and data. */
function recorded(seq: number, type: string, data: Record<string, unknown>): DynamoDBRecord {
  const image = RECORDED_DECIDED.dynamodb?.NewImage ?? {};
  const dataImage = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === "number" ? { N: String(v) } : { S: String(v) }]),
  );
  return {
    ...RECORDED_DECIDED,
    dynamodb: {
      ...RECORDED_DECIDED.dynamodb,
      Keys: { task_id: { S: "t-1" }, seq: { N: String(seq) } },
      NewImage: { ...image, seq: { N: String(seq) }, type: { S: type }, data: { M: dataImage } },
      SequenceNumber: `30000000000000000000${seq}`,
    },
  };
}

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

function setup() {
  const lines: string[] = [];
  const warnings: Record<string, unknown>[] = [];
  const consume = metricsConsumer({
    publisher: createEmfPublisher({ sink: (line) => lines.push(line) }),
    logger: { warn: (_message, extra) => warnings.push(extra) },
  });
  const documents = () => lines.map((line) => JSON.parse(line) as EmfDocument);
  return { consume, documents, warnings };
}

describe("metrics publisher", () => {
  it("publishes decision latency, decisions and grants from a recorded approval.decided record", async () => {
    // Prepare
    const { consume, documents } = setup();

    // Act
    const response = await consume({ Records: [RECORDED_DECIDED] });

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const latency = documents().find((d) => "ApprovalDecisionLatency" in d);
    expect(latency).toMatchObject({
      status: "APPROVED",
      ApprovalDecisionLatency: 5120,
      ApprovalDecisions: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: "ApprovalGates", Dimensions: [["status"]] }] },
    });
    expect(latency?._aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({
      Name: "ApprovalDecisionLatency",
      Unit: "Milliseconds",
    });
    expect(documents()).toContainEqual(expect.objectContaining({ scope_kind: "tool", GrantsIssued: 1 }));
  });

  it("publishes one heartbeat per batch, without dimensions", async () => {
    // Prepare
    const { consume, documents } = setup();

    // Act
    await consume({ Records: [recorded(1, "task.created", {}), recorded(2, "task.finished", {})] });

    // Assess
    expect(documents()).toEqual([expect.objectContaining({ PublisherHeartbeat: 1 })]);
    expect(documents()[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([[]]);
  });

  it("sums counts of one dimension set into one document per batch", async () => {
    // Prepare
    const { consume, documents } = setup();
    const allows = Array.from({ length: 150 }, (_, i) =>
      recorded(i + 1, "tool_call.evaluated", { decision: "ALLOW", source: "default_allow" }),
    );

    // Act
    await consume({ Records: allows });

    // Assess
    const allowDocs = documents().filter((d) => d.decision === "ALLOW");
    expect(allowDocs).toEqual([expect.objectContaining({ ToolCallsEvaluated: 150 })]);
  });

  it("splits more than 99 latencies of one status over several documents", async () => {
    // Prepare
    const { consume, documents } = setup();
    const decisions = Array.from({ length: 120 }, (_, i) =>
      recorded(i + 1, "approval.decided", { status: "DENIED", latency_ms: i + 1 }),
    );

    // Act
    await consume({ Records: decisions });

    // Assess
    const latencies = documents()
      .filter((d) => d.status === "DENIED" && "ApprovalDecisionLatency" in d)
      .map((d) => d.ApprovalDecisionLatency);
    expect(latencies).toHaveLength(2);
    expect(latencies.flat()).toHaveLength(120);
  });

  it("counts a missing latency in MetricEmitSkipped and logs which field it was", async () => {
    // Prepare
    const { consume, documents, warnings } = setup();

    // Act
    await consume({ Records: [recorded(4, "approval.decided", { status: "TIMED_OUT" })] });

    // Assess
    expect(documents().some((d) => "ApprovalDecisionLatency" in d)).toBe(false);
    expect(documents()).toContainEqual(
      expect.objectContaining({ reason: "missing_field", MetricEmitSkipped: 1 }),
    );
    expect(warnings).toEqual([
      { reason: "missing_field", event_type: "approval.decided", field: "latency_ms" },
    ]);
  });

  it("fails only the record that is not a ledger event, and publishes the rest", async () => {
    // Prepare
    const { consume, documents } = setup();
    const broken = recorded(5, "no.such.type", {});

    // Act
    const response = await consume({ Records: [RECORDED_DECIDED, broken] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "300000000000000000005" }]);
    expect(documents()).toContainEqual(expect.objectContaining({ ApprovalDecisionLatency: 5120 }));
  });

  it("reports a batch where every record fails record by record instead of throwing", async () => {
    // Prepare
    const { consume } = setup();

    // Act
    const response = await consume({ Records: [recorded(6, "no.such.type", {})] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "300000000000000000006" }]);
  });
});

describe("the metrics-publisher Lambda handler", () => {
  it("writes its EMF documents to stdout, where CloudWatch Logs extracts them", async () => {
    // Prepare
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // Act
    let response: Awaited<ReturnType<typeof handler>>;
    try {
      response = await handler({ Records: [RECORDED_DECIDED] });
    } finally {
      write.mockRestore();
    }

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const documents = written
      .filter((line) => line.includes('"CloudWatchMetrics"'))
      .map((line) => JSON.parse(line));
    expect(documents).toContainEqual(
      expect.objectContaining({ ApprovalDecisionLatency: 5120, status: "APPROVED" }),
    );
    expect(written.every((line) => line.endsWith("\n"))).toBe(true);
  });
});
