import type { TaskView } from "../../../contracts/api";
import { type ChainHead, type LedgerEvent, verifyLedger } from "../../../lambdas/core/ledger";
import { h, replaceChildren } from "../dom";
import { localTime } from "../format";
import { hrefOf } from "../router";
import { errorBox, every, facts, type Page, type PageContext, statusBadge } from "./page";

/** How often an open task page reads the task and its new events. */
const POLL_MS = 3000;
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);

/**
 * A task: its status and counters, its grants (each revocable), the kill switch, and its ledger as
 * a timeline whose hash chain the page checks itself with the server's own canonical JSON and
 * hashing, against the task's head, so an altered, removed or reordered event, or a cut-off tail,
 * is flagged here, not taken on trust.
 */
export function taskPage(ctx: PageContext, taskId: string): Page {
  const summary = h("div", {}, h("p", { class: "status" }, "Loading…"));
  const actions = h("div", {});
  const ledger = h("section", { class: "ledger" });
  const feedback = h("div", { "aria-live": "assertive" });
  let shownVersion = -1;
  let ended = false;

  const refresh = async () => {
    if (ended) return;
    try {
      const task = await ctx.api.task(taskId);
      if (task.last_event_seq === shownVersion) return;
      const events = await ctx.api.allEvents(taskId);
      shownVersion = task.last_event_seq;
      ended = ENDED.has(task.status);
      replaceChildren(summary, taskSummary(task));
      replaceChildren(actions, taskActions(ctx, task, feedback, refreshNow));
      replaceChildren(ledger, timeline(events, task));
    } catch (error) {
      replaceChildren(feedback, errorBox(error));
    }
  };
  const refreshNow = () => {
    shownVersion = -1;
    ended = false;
    void refresh();
  };
  const stop = every(POLL_MS, refresh);

  return {
    title: `Task ${taskId}`,
    node: h("section", {}, h("h1", { tabindex: -1 }, `Task ${taskId}`), feedback, summary, actions, ledger),
    dispose: stop,
  };
}

function taskSummary(task: TaskView): HTMLElement {
  return h(
    "div",
    { "data-testid": "task-summary" },
    facts([
      ["Status", statusBadge(task.status)],
      ["Repo", h("a", { href: hrefOf({ page: "policies", repoId: task.repo }) }, task.repo)],
      ["Agent", task.agent_id],
      ["Owner", task.owner],
      ["Approvers", task.approvers.join(", ")],
      ["Policy version", String(task.policy_version)],
      ["Tool calls", `${task.counters.tool_calls} of ${task.max_tool_calls}`],
      ["Approvals asked", `${task.counters.approvals_requested} of ${task.approval_gate_cap}`],
      ...(task.description ? [["Description", task.description] as const] : []),
    ]),
    task.pending_request_ids.length > 0
      ? h(
          "p",
          {},
          "Pending: ",
          task.pending_request_ids.map((id, i) => [
            i > 0 ? ", " : "",
            h("a", { href: hrefOf({ page: "request", taskId: task.task_id, requestId: id }) }, id),
          ]),
        )
      : undefined,
  );
}

function taskActions(
  ctx: PageContext,
  task: TaskView,
  feedback: HTMLElement,
  refresh: () => void,
): HTMLElement {
  const active = !ENDED.has(task.status);
  const grants = h(
    "table",
    { class: "grants", "data-testid": "grants" },
    h("caption", {}, "Grants"),
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, "Scope"), h("th", {}, "Granted by"), h("th", {}, "When"), h("th", {}, "")),
    ),
    h(
      "tbody",
      {},
      task.grants.length === 0
        ? h("tr", {}, h("td", {}, "No grants: every gated call asks."))
        : task.grants.map((grant) =>
            h(
              "tr",
              { "data-testid": "grant" },
              h("td", {}, h("code", {}, grant.scope)),
              h("td", {}, grantor(grant)),
              h("td", {}, localTime(grant.granted_at)),
              h(
                "td",
                {},
                active
                  ? h(
                      "button",
                      {
                        type: "button",
                        class: "danger small",
                        "aria-label": `Revoke ${grant.scope}`,
                        on: {
                          click: () => {
                            ctx.api
                              .revoke(task.task_id, grant.scope)
                              .then(refresh, (e: unknown) => replaceChildren(feedback, errorBox(e)));
                          },
                        },
                      },
                      "Revoke",
                    )
                  : undefined,
              ),
            ),
          ),
    ),
  );
  if (!active) return h("div", {}, grants);
  const reason = h("input", {
    type: "text",
    id: "cancel-reason",
    name: "reason",
    placeholder: "Why (optional)",
  });
  const confirm = h("input", { type: "checkbox", id: "cancel-confirm", name: "confirm", required: true });
  const cancel = h(
    "form",
    {
      class: "kill-switch",
      "data-testid": "cancel-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          ctx.api
            .cancel(task.task_id, reason.value.trim())
            .then(refresh, (e: unknown) => replaceChildren(feedback, errorBox(e)));
        },
      },
    },
    h("h2", {}, "Kill switch"),
    h(
      "p",
      {},
      "Cancelling ends the task: its pending requests are cancelled and every later call is denied.",
    ),
    h("label", { for: "cancel-reason" }, "Reason"),
    reason,
    h(
      "span",
      { class: "confirm" },
      confirm,
      h("label", { for: "cancel-confirm" }, " Cancel this task for good"),
    ),
    h("button", { type: "submit", class: "danger", "data-testid": "cancel" }, "Cancel task"),
  );
  return h("div", {}, grants, cancel);
}

/** The ledger, oldest first, with the verdict of the check against the task's head on top. */
export function timeline(events: readonly LedgerEvent[], taskHead: ChainHead): HTMLElement {
  const check = verifyLedger(events, taskHead);
  const head = events.at(-1);
  const verdict = check.ok
    ? h(
        "p",
        { class: "alert ok", "data-testid": "chain-verdict", "data-state": "verified" },
        `Hash chain verified in this browser: ${events.length} event${events.length === 1 ? "" : "s"}`,
        head ? `, head ${head.hash.slice(0, 12)}…` : "",
      )
    : h(
        "p",
        { class: "alert error", role: "alert", "data-testid": "chain-verdict", "data-state": "tampered" },
        `The ledger does not verify: event ${check.seq}: ${check.problem}. Events from it on cannot be trusted.`,
      );
  return h(
    "div",
    {},
    h("h2", {}, "Ledger"),
    verdict,
    h(
      "ol",
      { class: "timeline", "data-testid": "timeline" },
      events.map((event) => {
        const bad = !check.ok && event.seq >= check.seq;
        return h(
          "li",
          {
            class: bad ? "event bad" : "event",
            "data-testid": "event",
            "data-state": bad ? "unverified" : "verified",
          },
          h(
            "span",
            { class: "event-head" },
            h("strong", {}, `#${event.seq} ${event.type}`),
            ` ${localTime(event.at)}`,
          ),
          h("span", { class: "event-actor" }, `${event.actor.kind} ${event.actor.id}`),
          h("span", { class: "event-summary" }, summarize(event)),
          h(
            "details",
            {},
            h("summary", {}, "Details"),
            h("pre", {}, JSON.stringify(event.data, null, 2)),
            h("code", { class: "hash" }, `hash ${event.hash}`),
          ),
        );
      }),
    ),
  );
}

/** Who granted a scope: its kind and id, or every approver of a request that needed several. */
function grantor(grant: TaskView["grants"][number]): string {
  const by =
    grant.approved_by && grant.approved_by.length > 1 ? grant.approved_by.join(", ") : grant.granted_by.id;
  return `${grant.granted_by.kind} ${by}`;
}

/** One line in words for an event. */
function summarize(event: LedgerEvent): string {
  const d = event.data as Record<string, unknown>;
  const text = (key: string) => (typeof d[key] === "string" ? (d[key] as string) : "");
  const list = (key: string) => (Array.isArray(d[key]) ? (d[key] as unknown[]).join(", ") : "");
  switch (event.type) {
    case "task.created":
      return `Task for ${text("repo")}, owner ${text("owner")}, approvers ${list("approvers")}`;
    case "tool_call.evaluated":
      return `${text("tool_name")}: ${text("decision")} (${text("source")})${list("rule_ids") ? `, ${list("rule_ids")}` : ""}`;
    case "approval.requested":
      return `${text("tool_name")} needs approval: ${list("rule_ids")} (${text("severity")})`;
    case "approval.voted":
      return `Approved by ${text("by")} via ${text("via")}${text("scope") ? `, scope ${text("scope")}` : ""}: ${text("progress")}`;
    case "approval.decided":
      return `${text("status")}${text("decided_by") ? ` by ${text("decided_by")}` : ""} via ${text("via")}${text("scope") ? `, scope ${text("scope")}` : ""}${text("deny_reason") ? `: ${text("deny_reason")}` : ""}`;
    case "grant.revoked":
      return `Grant ${text("scope")} revoked by ${text("by")}`;
    case "task.finished":
      return `Finished ${text("status")}${text("summary") ? `: ${text("summary")}` : ""}`;
    case "task.cancelled":
      return `Cancelled by ${text("by")}${text("reason") ? `: ${text("reason")}` : ""}`;
    default:
      return "";
  }
}
