import type { ApprovalView } from "../../../contracts/api";
import { ApiError } from "../api";
import { h, replaceChildren } from "../dom";
import { countdown, localTime, parseObject, prettyPreview } from "../format";
import { hrefOf } from "../router";
import { errorBox, every, facts, type Page, type PageContext, severityBadge, statusBadge } from "./page";

/** How long each long-poll for a decision waits (the API allows up to 25 s). */
const WAIT_S = 20;

/** One scope the approver can pick, with what it means in words. */
interface ScopeChoice {
  readonly value: string;
  readonly label: string;
  /** Editable: the approver writes the glob. */
  readonly editable?: boolean;
  /** Needs a second confirmation. */
  readonly wide?: boolean;
}

/**
 * One approval request: what the agent asked, why it was stopped, and — while it is pending —
 * approve with a scope or deny with a reason. The page long-polls the request, so a decision
 * made elsewhere (CLI, Slack, another approver) or a timeout shows at once.
 */
export function requestPage(ctx: PageContext, taskId: string, requestId: string): Page {
  const body = h("div", {}, h("p", { class: "status" }, "Loading…"));
  const controller = new AbortController();
  let view: ApprovalView | undefined;

  const show = (next: ApprovalView) => {
    const changed = view?.status !== next.status;
    view = next;
    if (changed) replaceChildren(body, renderRequest(ctx, next, show));
  };

  const follow = async () => {
    try {
      show(await ctx.api.approval(taskId, requestId, 0, controller.signal));
      while (view?.status === "PENDING" && !controller.signal.aborted) {
        show(await ctx.api.approval(taskId, requestId, WAIT_S, controller.signal));
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      replaceChildren(body, errorBox(error));
    }
  };
  void follow();
  const stopTicking = every(1000, () => {
    for (const clock of body.querySelectorAll<HTMLElement>("[data-expires]")) {
      clock.textContent = countdown(clock.dataset.expires ?? "");
    }
  });

  return {
    title: "Request",
    node: h("section", {}, h("h1", { tabindex: -1 }, "Approval request"), body),
    dispose: () => {
      controller.abort();
      stopTicking();
    },
  };
}

function renderRequest(ctx: PageContext, view: ApprovalView, show: (v: ApprovalView) => void): HTMLElement {
  const deadline = h("span", { class: "countdown" }, countdown(view.expires_at));
  deadline.dataset.expires = view.expires_at;
  const taskHref = hrefOf({ page: "task", taskId: view.task_id });
  return h(
    "article",
    { class: "request", "data-testid": "request", "data-state": view.status },
    h(
      "header",
      { class: "request-head" },
      statusBadge(view.status),
      severityBadge(view.severity),
      h("strong", { "data-testid": "tool-name" }, view.tool_name),
    ),
    h("h2", {}, "What the agent wants to run"),
    h(
      "pre",
      { class: "input", "data-testid": "tool-input", tabindex: 0 },
      prettyPreview(view.tool_input_preview),
    ),
    facts([
      ["Why it stopped", view.reason],
      ["Rules", view.rule_ids.join(", ")],
      ...(view.approvals_required > 1 ? [["Approvals", view.progress] as const] : []),
      ["Task", h("a", { href: taskHref }, view.task_id)],
      ["Asked at", localTime(view.created_at)],
      [
        "Deadline",
        view.status === "PENDING"
          ? [localTime(view.expires_at), " (", deadline, " left)"]
          : localTime(view.expires_at),
      ],
      ["Input SHA-256", h("code", { class: "hash" }, view.tool_input_sha256)],
    ]),
    view.status === "PENDING" ? decisionForms(ctx, view, show) : outcome(view),
  );
}

/** Who decided, how and when. */
function outcome(view: ApprovalView): HTMLElement {
  const how =
    view.via === "system"
      ? "by the system (deadline passed)"
      : `by ${view.decided_by ?? "unknown"} via ${view.via ?? "unknown"}`;
  return h(
    "section",
    { class: "outcome", "data-testid": "outcome" },
    h("h2", {}, "Decision"),
    facts([
      ["Outcome", statusBadge(view.status)],
      ["Decided", how],
      ["When", view.decided_at ? localTime(view.decided_at) : "–"],
      ...(view.scope ? [["Scope", h("code", {}, view.scope)] as const] : []),
      ...(view.deny_reason ? [["Reason", view.deny_reason] as const] : []),
    ]),
  );
}

/** The scopes offered: this call, the tool, each rule, a narrower glob, and the whole session. */
export function scopeChoices(
  view: Pick<ApprovalView, "tool_name" | "rule_ids" | "tool_input_preview">,
): ScopeChoice[] {
  const input = parseObject(view.tool_input_preview);
  const command = typeof input?.command === "string" ? input.command : undefined;
  const path = ["file_path", "path", "notebook_path"]
    .map((k) => input?.[k])
    .find((v) => typeof v === "string");
  const glob =
    command !== undefined ? `command:${command}` : path !== undefined ? `path:${String(path)}` : "command:";
  return [
    { value: "this_call", label: "Only this call" },
    { value: `tool:${view.tool_name}`, label: `Every ${view.tool_name} call for the rest of this task` },
    ...view.rule_ids.map((rule) => ({ value: `rule:${rule}`, label: `Calls whose only rule is ${rule}` })),
    { value: glob, label: "Calls matching a pattern (command:<glob> or path:<glob>)", editable: true },
    { value: "all_session", label: "Every soft-gated call of this task (all_session)", wide: true },
  ];
}

function decisionForms(ctx: PageContext, view: ApprovalView, show: (v: ApprovalView) => void): HTMLElement {
  const feedback = h("div", { "aria-live": "assertive" });
  const critical = view.severity === "critical";
  const choices = scopeChoices(view);
  const glob = h("input", {
    type: "text",
    id: "scope-glob",
    name: "scope-glob",
    value: choices.find((c) => c.editable)?.value ?? "",
    "aria-label": "Pattern scope",
    spellcheck: false,
    autocomplete: "off",
  });
  const confirmWide = h("input", { type: "checkbox", id: "confirm-wide", name: "confirm-wide" });
  const radios = choices.map((choice, index) => {
    const id = `scope-${index}`;
    return h(
      "div",
      { class: "choice" },
      h("input", { type: "radio", name: "scope", id, value: choice.value, checked: index === 0 }),
      h("label", { for: id }, choice.label, choice.editable ? undefined : [" ", h("code", {}, choice.value)]),
      choice.editable ? glob : undefined,
      choice.wide
        ? h(
            "span",
            { class: "confirm" },
            confirmWide,
            h("label", { for: "confirm-wide" }, " I mean every soft rule"),
          )
        : undefined,
    );
  });

  const busy = (form: HTMLFormElement, on: boolean) => {
    for (const button of form.querySelectorAll("button")) button.disabled = on;
  };
  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.code === "REAUTHENTICATION_REQUIRED") {
      const again = h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-testid": "sign-in-again",
          on: {
            click: () =>
              ctx.session.reauthenticate(
                hrefOf({ page: "request", taskId: view.task_id, requestId: view.request_id }),
              ),
          },
        },
        "Sign in again",
      );
      replaceChildren(feedback, errorBox(error, h("p", {}, again)));
      again.focus();
    } else {
      replaceChildren(feedback, errorBox(error));
    }
  };

  const approveForm = h(
    "form",
    {
      class: "decide",
      "data-testid": "approve-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          const picked = approveForm.querySelector<HTMLInputElement>("input[name=scope]:checked");
          const index = radios.findIndex((r) => r.contains(picked));
          const choice = choices[index];
          if (!choice) return;
          if (choice.wide && !confirmWide.checked) {
            replaceChildren(
              feedback,
              errorBox(new Error("Tick the box to grant every soft rule for the rest of the task.")),
            );
            confirmWide.focus();
            return;
          }
          const scope = choice.editable ? glob.value.trim() : choice.value;
          busy(approveForm, true);
          ctx.api
            .approve(view.task_id, view.request_id, scope)
            .then(show, fail)
            .finally(() => busy(approveForm, false));
        },
      },
    },
    h("h2", {}, "Approve"),
    critical
      ? h(
          "p",
          { class: "alert warn" },
          `Critical: approving needs a sign-in at most ${ctx.criticalSignInMaxAgeMin} minutes old. Critical requests are never offered in Slack.`,
        )
      : undefined,
    h("fieldset", {}, h("legend", {}, "What the approval allows"), radios),
    h("button", { type: "submit", class: "primary", "data-testid": "approve" }, "Approve"),
  );

  const reason = h("textarea", {
    id: "deny-reason",
    name: "reason",
    rows: 3,
    placeholder: "Tell the agent why, or what to do instead",
  });
  const denyForm = h(
    "form",
    {
      class: "decide",
      "data-testid": "deny-form",
      on: {
        submit: (event) => {
          event.preventDefault();
          busy(denyForm, true);
          ctx.api
            .deny(view.task_id, view.request_id, reason.value.trim())
            .then(show, fail)
            .finally(() => busy(denyForm, false));
        },
      },
    },
    h("h2", {}, "Deny"),
    h("label", { for: "deny-reason" }, "Reason (optional; the agent sees it)"),
    reason,
    h("button", { type: "submit", class: "danger", "data-testid": "deny" }, "Deny"),
  );
  return h("section", { class: "decisions" }, feedback, approveForm, denyForm);
}
