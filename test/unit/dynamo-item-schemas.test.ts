import { type ItemKind, readItem, UnreadableItemError } from "../../lambdas/adapters/dynamo/dynamo-errors";
import * as itemSchemas from "../../lambdas/adapters/dynamo/item-schemas";
import {
  APPROVAL_ITEM,
  COUNTER_ITEM,
  INBOX_ITEM,
  LINK_CODE_ITEM,
  LOCK_HEAD_ITEM,
  LOCK_ITEM,
  PENDING_ITEM,
  POLICY_VERSION_ITEM,
  REQUEST_KEY_ITEM,
  SETTINGS_VERSION_ITEM,
  SLACK_LINK_ITEM,
  TASK_ITEM,
} from "../../lambdas/adapters/dynamo/item-schemas";
import * as ledgerEventSchemas from "../../lambdas/adapters/dynamo/ledger-event-schemas";
import { LEDGER_EVENT_ITEM, LOCK_EVENT_ITEM } from "../../lambdas/adapters/dynamo/ledger-event-schemas";
import { TABLES } from "../../lambdas/adapters/dynamo/tables";
import { ServiceUnavailableError } from "../../lambdas/core/errors";
import type { LockRecord } from "../../lambdas/core/governance/locks";
import { chainEvent, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";
import type {
  ApprovalRecord,
  InboxRow,
  PolicyVersionRecord,
  SettingsVersionRecord,
  TaskRecord,
} from "../../lambdas/core/records";

/** Tool input as a request keeps it: no error may ever show it. */
const SECRET = "sk-live-4f9c2a7e1b";

const TASK: TaskRecord = {
  task_id: "t-1",
  agent_id: "arn:aws:sts::123456789012:assumed-role/ci/run-7",
  repo: "acme/app",
  owner: "alice",
  read_only: false,
  status: "AWAITING_APPROVAL",
  description: "release 1.2",
  approvers: ["alice", "bob"],
  approver_groups: ["oncall"],
  approvals_required: 2,
  approval_timeout_s: 300,
  approval_gate_cap: 50,
  max_tool_calls: 10_000,
  counters: { tool_calls: 4, approvals_requested: 1 },
  grants: [
    {
      scope: "tool:Read",
      granted_by: { kind: "human", id: "bob" },
      granted_at: "2026-11-22T12:01:00.000Z",
      request_id: "01JREQ000000000000000000001",
      approved_by: ["alice", "bob"],
    },
  ],
  recent_denials: [
    {
      tool_name: "Bash",
      input_sha256: "b".repeat(64),
      rule_ids: ["rm_rf"],
      status: "DENIED",
      at: "2026-11-22T12:02:00.000Z",
    },
  ],
  recent_request_times: ["2026-11-22T12:03:00.000Z"],
  pending_request_ids: ["01JREQ000000000000000000002"],
  policy_version: 3,
  policy_layers: [
    { layer: "*", version: 1 },
    { layer: "acme/app", version: 3 },
  ],
  settings: { layer: "acme/*", version: 2 },
  created_at: "2026-11-22T12:00:00.000Z",
  updated_at: "2026-11-22T12:03:00.000Z",
  version: 6,
  last_event_hash: "c".repeat(64),
  create_fingerprint: "d".repeat(64),
  open_calls: [
    { event_seq: 4, tool_name: "Bash", input_sha256: "e".repeat(64), allowed_at: "2026-11-22T12:02:30.000Z" },
  ],
};

const APPROVAL: ApprovalRecord = {
  task_id: "t-1",
  request_id: "01JREQ000000000000000000002",
  status: "PENDING",
  repo: "acme/app",
  approvers: ["alice", "bob"],
  approver_groups: ["oncall"],
  tool_name: "Bash",
  tool_input_preview: `{"command":"deploy --token ${SECRET}"}`,
  tool_input_sha256: "a".repeat(64),
  rule_ids: ["deploy_prod"],
  soft_rule_ids: ["deploy_prod"],
  severity: "high",
  reason: "Deploys reach production",
  timeout_s: 300,
  approvals_required: 2,
  votes: [{ by: "alice", at: "2026-11-22T12:03:30.000Z", via: "slack", scope: "this_call" }],
  created_at: "2026-11-22T12:03:00.000Z",
  expires_at: "2026-11-22T12:08:00.000Z",
  track_outcome: true,
};

const INBOX_ROW: InboxRow = {
  approver_id: "bob",
  task_id: APPROVAL.task_id,
  request_id: APPROVAL.request_id,
  repo: APPROVAL.repo,
  tool_name: APPROVAL.tool_name,
  tool_input_preview: APPROVAL.tool_input_preview,
  rule_ids: APPROVAL.rule_ids,
  severity: APPROVAL.severity,
  reason: APPROVAL.reason,
  created_at: APPROVAL.created_at,
  expires_at: APPROVAL.expires_at,
  approvals_required: 2,
  approved_by: ["alice"],
};

const EVENT: LedgerEvent = chainEvent(GENESIS_HASH, {
  task_id: "t-1",
  seq: 1,
  type: "task.created",
  at: "2026-11-22T12:00:00.000Z",
  actor: { kind: "agent", id: TASK.agent_id },
  data: { repo: "acme/app", nested: { tool_input: { command: "ls" } } },
});

const LOCK: LockRecord = {
  lock_id: "01JLOCK0000000000000000001",
  target: "repo:acme/*",
  reason: "incident 42",
  placed_by: "root",
  placed_at: "2026-11-22T11:00:00.000Z",
  cancel_pending: true,
};

const POLICY: PolicyVersionRecord = {
  repo_id: "acme/app",
  version: 3,
  policies: '@id("deploy_prod") forbid (principal, action, resource);',
  disable: ["force_push"],
  published_by: "root",
  published_at: "2026-11-22T10:00:00.000Z",
};

const SETTINGS: SettingsVersionRecord = {
  layer: "acme/*",
  version: 2,
  settings: {
    approvers: { users: ["bob"], groups: ["oncall"] },
    allowed_owners: ["*"],
    owner_approves: true,
    pre_grantable_scopes: ["tool:Read"],
    allowed_agents: ["*"],
    approval_timeout_s: { default: 300, max: 3600 },
    approvals_required: 1,
    notify_channels: ["slack", "webhook:ops"],
  },
  published_by: "root",
  published_at: "2026-11-22T10:30:00.000Z",
};

/** What `read` threw: the 503 the core sees, and the cause the log gets. */
function failureOf(read: () => unknown): { error: ServiceUnavailableError; cause: UnreadableItemError } {
  try {
    read();
  } catch (error) {
    if (error instanceof ServiceUnavailableError && error.cause instanceof UnreadableItemError)
      return { error, cause: error.cause };
    throw error;
  }
  throw new Error("the item was read");
}

describe("readItem maps a stored item to its record", () => {
  it.each<[string, ItemKind<unknown>, Record<string, unknown>, unknown]>([
    ["a task, without its storage attributes", TASK_ITEM, { ...TASK, ttl: 1_800_000_000 }, TASK],
    [
      "a request, without its expiry bucket, TTL or any channel's delivery state",
      APPROVAL_ITEM,
      {
        ...APPROVAL,
        expiry_bucket: "P2",
        ttl: 1_800_000_000,
        "delivery:slack": { channel: "C1", ts: "1.2" },
        "delivery:webhook:ops": { seq: 7 },
        slack: { channel: "C1", ts: "1.2" },
      },
      APPROVAL,
    ],
    [
      "an inbox row, without its sort key or TTL",
      INBOX_ITEM,
      { ...INBOX_ROW, sk: "x#t-1#r", ttl: 1 },
      INBOX_ROW,
    ],
    ["a ledger event, its data untouched", LEDGER_EVENT_ITEM, { ...EVENT }, EVENT],
    [
      "an event of the lock ledger, without its ledger key",
      LOCK_EVENT_ITEM,
      { ...EVENT, type: "lock.placed", ledger: "locks" },
      { ...EVENT, type: "lock.placed" },
    ],
    [
      "a lock, without the keys it is stored under",
      LOCK_ITEM,
      { pk: "active", sk: LOCK.lock_id, ...LOCK },
      LOCK,
    ],
    [
      "the lock ledger's head",
      LOCK_HEAD_ITEM,
      { pk: "ledger", sk: "head", version: 4, last_event_hash: "f".repeat(64) },
      { version: 4, last_event_hash: "f".repeat(64) },
    ],
    ["a policy version", POLICY_VERSION_ITEM, { ...POLICY }, POLICY],
    ["a settings version", SETTINGS_VERSION_ITEM, { ...SETTINGS }, SETTINGS],
    [
      "a pending request as the expiry index projects it",
      PENDING_ITEM,
      { task_id: "t-1", request_id: "r-1", repo: "acme/app", expiry_bucket: "P1" },
      { task_id: "t-1", request_id: "r-1", repo: "acme/app" },
    ],
    [
      "a request key",
      REQUEST_KEY_ITEM,
      { task_id: "t-1", request_id: "r-1" },
      { task_id: "t-1", request_id: "r-1" },
    ],
    ["a rate counter", COUNTER_ITEM, { key: "agent#1", count: 3, ttl: 9 }, { count: 3 }],
  ])("%s", (_name, kind, item, record) => {
    // Act
    const read = readItem(kind, item);

    // Assess
    expect(read).toStrictEqual(record);
  });

  it("reads a task registered before governance with no groups, one approval, its repo's pinned layer and the default settings", () => {
    // Prepare: an item as the first releases wrote it, grants with a bare grantor id included.
    const {
      approver_groups: _groups,
      approvals_required: _required,
      policy_layers: _layers,
      settings: _settings,
      open_calls: _open,
      description: _description,
      ...older
    } = TASK;
    const item = {
      ...older,
      grants: [
        {
          scope: "tool:Read",
          granted_by: "bob",
          granted_at: "2026-11-22T12:01:00.000Z",
          request_id: "01JREQ1",
        },
        { scope: "tool:Grep", granted_by: "agent-1", granted_at: "2026-11-22T12:00:00.000Z" },
      ],
    };

    // Act
    const task = readItem(TASK_ITEM, item);

    // Assess
    expect(task).toStrictEqual({
      ...older,
      approver_groups: [],
      approvals_required: 1,
      policy_layers: [{ layer: "acme/app", version: 3 }],
      settings: { layer: "default", version: 0 },
      grants: [
        {
          scope: "tool:Read",
          granted_by: { kind: "human", id: "bob" },
          granted_at: "2026-11-22T12:01:00.000Z",
          request_id: "01JREQ1",
        },
        {
          scope: "tool:Grep",
          granted_by: { kind: "agent", id: TASK.agent_id },
          granted_at: "2026-11-22T12:00:00.000Z",
        },
      ],
    });
  });

  it("reads a task without a policy of its repo as judged by no layer of its own", () => {
    // Prepare
    const { policy_layers: _layers, ...older } = TASK;

    // Act
    const task = readItem(TASK_ITEM, { ...older, policy_version: 0 });

    // Assess
    expect(task.policy_layers).toEqual([]);
  });

  it("reads a request from before quorums and channels, without any optional field", () => {
    // Prepare
    const {
      approver_groups: _groups,
      soft_rule_ids: _soft,
      approvals_required: _required,
      votes: _votes,
      track_outcome: _track,
      ...older
    } = APPROVAL;

    // Act
    const approval = readItem(APPROVAL_ITEM, { ...older });

    // Assess
    expect(approval).toStrictEqual(older);
  });
});

describe("readItem fails closed on an item that does not match its schema", () => {
  it.each<[string, ItemKind<unknown>, Record<string, unknown>, string]>([
    [
      "a task whose version is text",
      TASK_ITEM,
      { ...TASK, version: "6" },
      "version: invalid_type, expected number",
    ],
    ["a task with an unknown status", TASK_ITEM, { ...TASK, status: SECRET }, "status: invalid_value"],
    [
      "a task whose grant lost its scope",
      TASK_ITEM,
      { ...TASK, grants: [{ ...TASK.grants[0], scope: undefined }] },
      "grants[0].scope: invalid_type, expected string",
    ],
    [
      "a task whose grantor is neither an id nor a grantor",
      TASK_ITEM,
      { ...TASK, grants: [{ ...TASK.grants[0], granted_by: { kind: "root", id: SECRET } }] },
      "grants[0].granted_by: custom",
    ],
    [
      "a task whose layer version is not whole",
      TASK_ITEM,
      { ...TASK, policy_layers: [{ layer: "*", version: 1.5 }] },
      "policy_layers[0].version: invalid_type, expected int",
    ],
    [
      "a request without its status",
      APPROVAL_ITEM,
      { ...APPROVAL, status: undefined },
      "status: invalid_value",
    ],
    [
      "a request whose preview is not text",
      APPROVAL_ITEM,
      { ...APPROVAL, tool_input_preview: { token: SECRET } },
      "tool_input_preview: invalid_type, expected string",
    ],
    [
      "a request whose vote came through no known door",
      APPROVAL_ITEM,
      { ...APPROVAL, votes: [{ ...APPROVAL.votes?.[0], via: "email" }] },
      "votes[0].via: invalid_value",
    ],
    [
      "a ledger event without its seq",
      LEDGER_EVENT_ITEM,
      { ...EVENT, seq: undefined },
      "seq: invalid_type, expected number",
    ],
    [
      "a ledger event of a type this code does not know",
      LEDGER_EVENT_ITEM,
      { ...EVENT, type: "task.hijacked" },
      "type: invalid_value",
    ],
    [
      "a ledger event whose data is not an object",
      LEDGER_EVENT_ITEM,
      { ...EVENT, data: SECRET },
      "data: invalid_type, expected record",
    ],
    [
      "a task event in the lock ledger",
      LOCK_EVENT_ITEM,
      { ...EVENT, ledger: "locks" },
      "type: invalid_value",
    ],
    ["a lock whose target is no lock target", LOCK_ITEM, { ...LOCK, target: "repo" }, "target: custom"],
    [
      "settings whose approvers are not a list",
      SETTINGS_VERSION_ITEM,
      { ...SETTINGS, settings: { ...SETTINGS.settings, approvers: { users: "bob", groups: [] } } },
      "settings.approvers.users: invalid_type, expected array",
    ],
    [
      "a rate counter that is not a number",
      COUNTER_ITEM,
      { key: "agent#1", count: "3" },
      "count: invalid_type, expected number",
    ],
    [
      "a code that lost its expiry",
      LINK_CODE_ITEM,
      { slack_key: "code#ABC", slack_team_id: "T1", slack_user_id: "U1" },
      "expires_at_s: invalid_type, expected number",
    ],
  ])("%s answers SERVICE_UNAVAILABLE and names the field", (_name, kind, item, field) => {
    // Act
    const { error, cause } = failureOf(() => readItem(kind, item));

    // Assess
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect(cause.table).toBe(kind.table);
    expect(cause.fields).toContain(field);
    expect(cause.message).toContain(field);
    expect(`${cause.message} ${error.message}`).not.toContain(SECRET);
  });

  it("names the item by its table and key, and never shows a value of the item", () => {
    // Prepare
    const item = { ...APPROVAL, severity: SECRET };

    // Act
    const { error, cause } = failureOf(() => readItem(APPROVAL_ITEM, item));

    // Assess
    expect(cause.key).toEqual({ task_id: APPROVAL.task_id, request_id: APPROVAL.request_id });
    expect(cause.message).toBe(
      `Approvals item {"task_id":"t-1","request_id":"01JREQ000000000000000000002"} does not match its schema at severity: invalid_value`,
    );
    // The caller sees only the generic 503; the cause is for the log.
    expect(error.message).toBe(
      "The service is temporarily unavailable; treat this as a DENY and retry later.",
    );
  });

  it.each<[string, ItemKind<unknown>]>([
    ["task", TASK_ITEM],
    ["request", APPROVAL_ITEM],
    ["inbox row", INBOX_ITEM],
    ["ledger event", LEDGER_EVENT_ITEM],
    ["lock event", LOCK_EVENT_ITEM],
    ["lock", LOCK_ITEM],
    ["lock ledger head", LOCK_HEAD_ITEM],
    ["policy version", POLICY_VERSION_ITEM],
    ["settings version", SETTINGS_VERSION_ITEM],
    ["pending request", PENDING_ITEM],
    ["request key", REQUEST_KEY_ITEM],
    ["rate counter", COUNTER_ITEM],
    ["Slack link", SLACK_LINK_ITEM],
    ["link code", LINK_CODE_ITEM],
  ])("refuses an empty %s item", (_name, kind) => {
    // Act
    const { cause } = failureOf(() => readItem(kind, {}));

    // Assess
    expect(cause.fields.length).toBeGreaterThan(0);
    expect(cause.key).toEqual(Object.fromEntries(kind.key.map((k) => [k, undefined])));
  });
});

describe("the key each item kind names in its errors", () => {
  it("is its table's partition and sort key, as the table definitions declare them", () => {
    // Prepare: every item kind the adapters read.
    const kinds: Record<string, unknown> = { ...itemSchemas, ...ledgerEventSchemas };
    const items = Object.entries(kinds).filter(([name]) => name.endsWith("_ITEM")) as [
      string,
      ItemKind<unknown>,
    ][];

    // Act
    const wrong = items.filter(([, kind]) => {
      const table = TABLES[kind.table];
      const key = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
      return JSON.stringify(kind.key) !== JSON.stringify(key);
    });

    // Assess
    expect(items.length).toBeGreaterThanOrEqual(14);
    expect(wrong.map(([name]) => name)).toEqual([]);
  });
});
