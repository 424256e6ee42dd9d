import * as z from "zod/mini";
import {
  type ApprovalView,
  ApproveBodySchema,
  CancelBodySchema,
  type CreateTaskBody,
  CreateTaskBodySchema,
  DenyBodySchema,
  type DryRunBody,
  DryRunBodySchema,
  type EvaluateBody,
  EvaluateBodySchema,
  type EvaluationResponse,
  type FinishBody,
  FinishBodySchema,
  LIMITS,
  type OutcomeView,
  type PendingItem,
  type PublishPoliciesBody,
  PublishPoliciesBodySchema,
  type ReportOutcomeBody,
  ReportOutcomeBodySchema,
  RevokeGrantBodySchema,
  SlackLinkBodySchema,
  type SlackLinkView,
  type SlackUnlinkView,
  type TaskView,
  type WhoamiView,
  WithdrawBodySchema,
} from "../contracts/api";
import {
  LiftLockBodySchema,
  type LocksPage,
  type LockView,
  type PlaceLockBody,
  PlaceLockBodySchema,
  type RepoSettingsBody,
  RepoSettingsBodySchema,
  type SettingsView,
} from "../contracts/governance";
import { type ChainHead, verifyLedger } from "../lambdas/core/ledger";
import { GatesApiError } from "./gates-api-error";
import { guardToolCall } from "./guard";
import { HttpTransport, type TransportOptions } from "./http-transport";
import { expectApproval, expectEvaluation, expectShape } from "./response-shapes";
import type {
  DryRunResult,
  EventsPage,
  GuardResult,
  HealthView,
  LedgerEvent,
  LedgerVerification,
  PendingPage,
  PolicyView,
  PublishedPolicies,
} from "./types";

/** Settings for {@link GatesClient}: where the API is, how to authenticate, how to retry. */
export type GatesClientOptions = TransportOptions;

/** Options for {@link GatesClient.guard}. */
export interface GuardOptions {
  /** Stop waiting for a human after this long; the call is then denied. @default the request's timeout + 30 s */
  readonly maxWaitMs?: number;
  readonly tool_use_id?: string;
}

/** Parses a request body with its contract schema, so a bad field fails here rather than at the server. */
function checked<S extends z.core.$ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = z.safeParse(schema, body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new GatesApiError(0, "INVALID_REQUEST", `invalid request: ${fields}`);
  }
  return parsed.data;
}

const seg = (id: string) => encodeURIComponent(id);
const TASK = { task_id: "string", status: "string", owner: "string" } as const;

/**
 * A typed client for the Approval Gates API. Request bodies are checked with the contract
 * schemas; answers come back as the contract types or as a {@link GatesApiError}.
 */
export class GatesClient {
  private readonly http: HttpTransport;

  constructor(options: GatesClientOptions) {
    this.http = new HttpTransport(options);
  }

  /** `GET /v1/health`. */
  async health(): Promise<HealthView> {
    const body = await this.http.call({ method: "GET", path: "/v1/health", idempotent: true });
    return expectShape<HealthView>(body, "health", { status: "string" });
  }

  /** `GET /v1/whoami`: the caller as the server identifies it. */
  async whoami(): Promise<WhoamiView> {
    const reply = await this.http.call({ method: "GET", path: "/v1/whoami", idempotent: true });
    return expectShape<WhoamiView>(reply, "whoami", { kind: "string", id: "string", admin: "boolean" });
  }

  /** Registers a task. With a `task_id` it is idempotent, so it may be retried. */
  async createTask(body: CreateTaskBody): Promise<TaskView> {
    const task = checked(CreateTaskBodySchema, body);
    const reply = await this.http.call({
      method: "POST",
      path: "/v1/tasks",
      body: task,
      idempotent: task.task_id !== undefined,
    });
    return expectShape<TaskView>(reply, "task", TASK);
  }

  /** Asks whether a tool call may run. */
  async evaluate(taskId: string, call: EvaluateBody): Promise<EvaluationResponse> {
    const body = checked(EvaluateBodySchema, call);
    return expectEvaluation(
      await this.http.call({ method: "POST", path: `/v1/tasks/${seg(taskId)}/tool-calls`, body }),
    );
  }

  /** Reads an approval, long-polling up to `waitS` seconds (0–25) for a decision. */
  async getApproval(taskId: string, requestId: string, waitS = 0): Promise<ApprovalView> {
    const wait = Math.max(0, Math.min(LIMITS.maxWaitS, Math.floor(waitS)));
    const reply = await this.http.call({
      method: "GET",
      path: `/v1/tasks/${seg(taskId)}/approvals/${seg(requestId)}`,
      query: wait > 0 ? { wait_s: wait } : {},
      idempotent: true,
      extraTimeMs: wait * 1000,
    });
    return expectApproval(reply);
  }

  /**
   * Long-polls an approval until it is decided or `deadlineMs` (epoch milliseconds) passes;
   * returns the last view read, which is still PENDING only when the deadline came first.
   */
  async waitForDecision(
    taskId: string,
    requestId: string,
    options: { deadlineMs: number },
  ): Promise<ApprovalView> {
    for (;;) {
      const remainingS = Math.ceil((options.deadlineMs - Date.now()) / 1000);
      const view = await this.getApproval(
        taskId,
        requestId,
        Math.min(LIMITS.maxWaitS, Math.max(0, remainingS)),
      );
      if (view.status !== "PENDING" || Date.now() >= options.deadlineMs) return view;
    }
  }

  /** Withdraws one of the agent's own PENDING requests: it ends CANCELLED and can no longer be approved. */
  async withdraw(taskId: string, requestId: string, reason?: string): Promise<ApprovalView> {
    const body = checked(WithdrawBodySchema, reason ? { reason } : {});
    return expectApproval(
      await this.http.call({
        method: "POST",
        path: `/v1/tasks/${seg(taskId)}/approvals/${seg(requestId)}/withdraw`,
        body,
      }),
    );
  }

  /** Records what became of an allowed call (executed, or an upstream error) in the task's ledger. */
  async reportOutcome(taskId: string, outcome: ReportOutcomeBody): Promise<OutcomeView> {
    const reply = await this.http.call({
      method: "POST",
      path: `/v1/tasks/${seg(taskId)}/outcomes`,
      body: checked(ReportOutcomeBodySchema, outcome),
    });
    return expectShape<OutcomeView>(reply, "outcome", { event_seq: "number", outcome: "string" });
  }

  /** Approves a request, optionally with a wider scope (`tool:Bash`, `all_session`, …). */
  async approve(taskId: string, requestId: string, scope?: string): Promise<ApprovalView> {
    const body = checked(ApproveBodySchema, { request_id: requestId, ...(scope ? { scope } : {}) });
    return expectApproval(
      await this.http.call({ method: "POST", path: `/v1/tasks/${seg(taskId)}/approve`, body }),
    );
  }

  /** Denies a request; the reason reaches the agent. */
  async deny(taskId: string, requestId: string, reason?: string): Promise<ApprovalView> {
    const body = checked(DenyBodySchema, { request_id: requestId, ...(reason ? { reason } : {}) });
    return expectApproval(
      await this.http.call({ method: "POST", path: `/v1/tasks/${seg(taskId)}/deny`, body }),
    );
  }

  /** Every pending approval the caller may decide, soonest deadline first (all pages). */
  async pending(options: { repo?: string } = {}): Promise<PendingItem[]> {
    const items: PendingItem[] = [];
    let nextToken: string | undefined;
    do {
      const reply = await this.http.call({
        method: "GET",
        path: "/v1/pending",
        query: { limit: LIMITS.maxListLimit, next_token: nextToken, repo: options.repo },
        idempotent: true,
      });
      const page = expectShape<PendingPage>(reply, "pending page", { items: "array" });
      items.push(...page.items);
      nextToken = page.next_token;
    } while (nextToken);
    return items;
  }

  /** The task view. */
  async task(taskId: string): Promise<TaskView> {
    const reply = await this.http.call({ method: "GET", path: `/v1/tasks/${seg(taskId)}`, idempotent: true });
    return expectShape<TaskView>(reply, "task", TASK);
  }

  /** The task's ledger in sequence order, all pages: the whole of it, or what follows `afterSeq`. */
  async events(taskId: string, options: { afterSeq?: number } = {}): Promise<LedgerEvent[]> {
    const items: LedgerEvent[] = [];
    let after: number | undefined = options.afterSeq ?? 0;
    while (after !== undefined) {
      const reply = await this.http.call({
        method: "GET",
        path: `/v1/tasks/${seg(taskId)}/events`,
        query: { after_seq: after, limit: LIMITS.maxListLimit },
        idempotent: true,
      });
      const page = expectShape<EventsPage>(reply, "events page", { items: "array" });
      items.push(...page.items);
      // A page that names no progress would loop forever; stop instead.
      after =
        page.next_after_seq !== undefined && page.next_after_seq > after ? page.next_after_seq : undefined;
    }
    return items;
  }

  /**
   * Checks the task's whole ledger against the task's head: every hash of the chain, and that no
   * event is missing from its end (which the chain alone cannot show). The task is read first, so
   * events appended meanwhile pass. A task view without a head hash fails the check.
   */
  async verifyLedger(taskId: string): Promise<LedgerVerification> {
    const task = await this.task(taskId);
    const events = await this.events(taskId);
    const head: ChainHead = { last_event_seq: task.last_event_seq, last_event_hash: task.last_event_hash };
    if (typeof head.last_event_seq !== "number" || typeof head.last_event_hash !== "string") {
      const check = { ok: false, seq: 0, problem: "the task view names no last event seq and hash" } as const;
      return { check, events, head };
    }
    return { check: verifyLedger(events, head), events, head };
  }

  /** Ends the task as the agent (COMPLETED or FAILED); pending requests are cancelled. */
  async finish(taskId: string, body: FinishBody): Promise<TaskView> {
    const reply = await this.http.call({
      method: "POST",
      path: `/v1/tasks/${seg(taskId)}/finish`,
      body: checked(FinishBodySchema, body),
    });
    return expectShape<TaskView>(reply, "task", TASK);
  }

  /** The kill switch: cancels the task and every pending request. */
  async cancel(taskId: string, reason?: string): Promise<TaskView> {
    const body = checked(CancelBodySchema, reason ? { reason } : {});
    const reply = await this.http.call({ method: "POST", path: `/v1/tasks/${seg(taskId)}/cancel`, body });
    return expectShape<TaskView>(reply, "task", TASK);
  }

  /** Links the caller's Slack account with the one-time code `/gates link` showed in Slack. */
  async linkSlack(code: string): Promise<SlackLinkView> {
    const body = checked(SlackLinkBodySchema, { code });
    const reply = await this.http.call({ method: "POST", path: "/v1/slack/link", body });
    return expectShape<SlackLinkView>(reply, "slack link", { slack_user_id: "string" });
  }

  /** Unlinks every Slack account linked to the caller. */
  async unlinkSlack(): Promise<SlackUnlinkView> {
    const reply = await this.http.call({ method: "DELETE", path: "/v1/slack/link" });
    return expectShape<SlackUnlinkView>(reply, "slack unlink", { unlinked: "number" });
  }

  /** Drops a grant the task holds. */
  async revokeGrant(taskId: string, scope: string): Promise<TaskView> {
    const body = checked(RevokeGrantBodySchema, { scope });
    const reply = await this.http.call({
      method: "POST",
      path: `/v1/tasks/${seg(taskId)}/grants/revoke`,
      body,
    });
    return expectShape<TaskView>(reply, "task", TASK);
  }

  /** The rules in force for a repo (built-ins are version 0). */
  async policies(repo: string): Promise<PolicyView> {
    const reply = await this.http.call({
      method: "GET",
      path: `/v1/repos/${seg(repo)}/policies`,
      idempotent: true,
    });
    return expectShape<PolicyView>(reply, "policies", { version: "number", hard: "array", soft: "array" });
  }

  /** Publishes a new policy version (admins only); 422 `POLICY_INVALID` lists every problem. */
  async publishPolicies(repo: string, body: PublishPoliciesBody): Promise<PublishedPolicies> {
    const reply = await this.http.call({
      method: "PUT",
      path: `/v1/repos/${seg(repo)}/policies`,
      body: checked(PublishPoliciesBodySchema, body),
    });
    return expectShape<PublishedPolicies>(reply, "policies", {
      version: "number",
      hard: "array",
      soft: "array",
    });
  }

  /** What the repo's policies (or candidate `policies` text) would decide. Writes nothing. */
  async dryRun(repo: string, body: DryRunBody): Promise<DryRunResult> {
    const reply = await this.http.call({
      method: "POST",
      path: `/v1/repos/${seg(repo)}/policies/evaluate`,
      body: checked(DryRunBodySchema, body),
      // A dry run changes nothing, so sending it twice is harmless.
      idempotent: true,
    });
    return expectShape<DryRunResult>(reply, "dry run", { decision: "string", rule_ids: "array" });
  }

  /** The settings new tasks of a repo (or a layer: `acme/*`, `*`) are registered under, and where they come from. */
  async settings(repo: string): Promise<SettingsView> {
    const reply = await this.http.call({
      method: "GET",
      path: `/v1/repos/${seg(repo)}/settings`,
      idempotent: true,
    });
    return expectShape<SettingsView>(reply, "settings", {
      layer: "string",
      version: "number",
      settings: "object",
    });
  }

  /** Publishes a layer's next settings version (admins only); 422 `SETTINGS_INVALID` lists every problem. */
  async publishSettings(repo: string, body: RepoSettingsBody): Promise<SettingsView> {
    const reply = await this.http.call({
      method: "PUT",
      path: `/v1/repos/${seg(repo)}/settings`,
      body: checked(RepoSettingsBodySchema, body),
    });
    return expectShape<SettingsView>(reply, "settings", {
      layer: "string",
      version: "number",
      settings: "object",
    });
  }

  /** Places a lock (admins only): `all`, `repo:<owner/name or owner/*>` or `agent:<id or glob>`. */
  async placeLock(body: PlaceLockBody): Promise<LockView> {
    const reply = await this.http.call({
      method: "POST",
      path: "/v1/locks",
      body: checked(PlaceLockBodySchema, body),
    });
    return expectShape<LockView>(reply, "lock", { lock_id: "string", target: "string" });
  }

  /** The locks in force, oldest first. */
  async locks(): Promise<LockView[]> {
    const reply = await this.http.call({ method: "GET", path: "/v1/locks", idempotent: true });
    return expectShape<LocksPage>(reply, "locks", { items: "array" }).items;
  }

  /** Lifts a lock (admins only). */
  async liftLock(lockId: string, reason?: string): Promise<LockView> {
    const body = checked(LiftLockBodySchema, reason ? { reason } : {});
    const reply = await this.http.call({ method: "DELETE", path: `/v1/locks/${seg(lockId)}`, body });
    return expectShape<LockView>(reply, "lock", { lock_id: "string", target: "string" });
  }

  /** The lock ledger: every lock placed, lifted or expired, hash-chained (all pages). */
  async lockEvents(): Promise<LedgerEvent<string>[]> {
    const items: LedgerEvent<string>[] = [];
    let after: number | undefined = 0;
    while (after !== undefined) {
      const reply = await this.http.call({
        method: "GET",
        path: "/v1/locks/events",
        query: { after_seq: after, limit: LIMITS.maxListLimit },
        idempotent: true,
      });
      const page = expectShape<{ items: LedgerEvent<string>[]; next_after_seq?: number }>(
        reply,
        "lock events",
        {
          items: "array",
        },
      );
      items.push(...page.items);
      after =
        page.next_after_seq !== undefined && page.next_after_seq > after ? page.next_after_seq : undefined;
    }
    return items;
  }

  /**
   * Asks before a tool call and waits for a human when one is needed. Fails closed: any
   * error, unexpected answer or missed deadline gives `allowed: false`.
   */
  guard(
    taskId: string,
    toolName: string,
    toolInput: Record<string, unknown>,
    options: GuardOptions = {},
  ): Promise<GuardResult> {
    return guardToolCall(this, taskId, toolName, toolInput, options);
  }
}
