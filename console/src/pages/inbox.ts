import type { PendingItem } from "../../../contracts/api";
import { h, replaceChildren } from "../dom";
import { countdown, shorten } from "../format";
import { hrefOf } from "../router";
import { errorBox, every, type Page, type PageContext, severityBadge } from "./page";

/** How often the inbox asks for pending requests (the API allows 120 listings a minute). */
const POLL_MS = 2000;

/** The caller's pending requests, soonest deadline first, refreshed live, with countdowns. */
export function inboxPage(ctx: PageContext): Page {
  const list = h("ul", { class: "inbox", "data-testid": "inbox" });
  const status = h(
    "p",
    { class: "status", "aria-live": "polite", "data-testid": "inbox-status" },
    "Loading…",
  );
  const problem = h("div", {});
  const seen = new Set<string>();
  let first = true;

  const render = (items: readonly PendingItem[]) => {
    const rows = items.map((item) => {
      const key = `${item.task_id}/${item.request_id}`;
      const fresh = !first && !seen.has(key);
      seen.add(key);
      return inboxRow(item, fresh);
    });
    replaceChildren(list, ...rows);
    status.textContent =
      items.length === 0
        ? "Nothing waits for you. New requests appear here as agents ask."
        : `${items.length} request${items.length === 1 ? "" : "s"} wait${items.length === 1 ? "s" : ""} for you.`;
    first = false;
  };

  const stopPolling = every(POLL_MS, async () => {
    try {
      const page = await ctx.api.pending();
      replaceChildren(problem);
      render(page.items);
    } catch (error) {
      replaceChildren(problem, errorBox(error));
    }
  });
  const stopTicking = every(1000, () => {
    for (const clock of list.querySelectorAll<HTMLElement>("[data-expires]")) {
      clock.textContent = countdown(clock.dataset.expires ?? "");
    }
  });

  return {
    title: "Inbox",
    node: h("section", {}, h("h1", { tabindex: -1 }, "Inbox"), status, problem, list),
    dispose: () => {
      stopPolling();
      stopTicking();
    },
  };
}

function inboxRow(item: PendingItem, fresh: boolean): HTMLElement {
  const deadline = h("span", { class: "countdown" }, countdown(item.expires_at));
  deadline.dataset.expires = item.expires_at;
  const href = hrefOf({ page: "request", taskId: item.task_id, requestId: item.request_id });
  const row = h(
    "li",
    { class: fresh ? "item fresh" : "item", "data-testid": "inbox-item" },
    h(
      "a",
      { href, class: "item-link" },
      h(
        "span",
        { class: "item-head" },
        severityBadge(item.severity),
        h("strong", {}, item.tool_name),
        deadline,
      ),
      h("code", { class: "preview" }, shorten(item.tool_input_preview, 200)),
      h(
        "span",
        { class: "item-meta" },
        `${item.rule_ids.join(", ")} · ${item.repo} · task ${item.task_id}`,
        // A request that needs several approvers says how far it got.
        item.approvals_required > 1 ? ` · ${item.progress}` : undefined,
      ),
    ),
  );
  row.dataset.requestId = item.request_id;
  return row;
}
