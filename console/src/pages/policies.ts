import type { PolicyView, RuleView } from "../../../contracts/api";
import { ApiError } from "../api";
import { h, replaceChildren } from "../dom";
import { parseObject } from "../format";
import { errorBox, facts, type Page, type PageContext, severityBadge } from "./page";

/** The repo shown when none is named, matching the README's example. */
const DEFAULT_REPO = "acme/app";

/**
 * A repo's policies: the rules in force, a dry-run box (tool and input in, decision out, nothing
 * written), and for admins a publish box that shows a rejection's diagnostics in place.
 */
export function policiesPage(ctx: PageContext, repoId = DEFAULT_REPO): Page {
  const rules = h("div", {}, h("p", { class: "status" }, "Loading…"));
  const repo = h("input", {
    type: "text",
    id: "repo",
    name: "repo",
    value: repoId,
    spellcheck: false,
    autocomplete: "off",
  });
  const pick = h(
    "form",
    {
      class: "inline",
      on: {
        submit: (event) => {
          event.preventDefault();
          ctx.navigate({ page: "policies", repoId: repo.value.trim() || DEFAULT_REPO });
        },
      },
    },
    h("label", { for: "repo" }, "Repo "),
    repo,
    h("button", { type: "submit" }, "Show"),
  );
  const load = () =>
    ctx.api.policies(repoId).then(
      (view) => replaceChildren(rules, ruleTables(view)),
      (error: unknown) => replaceChildren(rules, errorBox(error)),
    );
  void load();

  return {
    title: `Policies of ${repoId}`,
    node: h(
      "section",
      {},
      h("h1", { tabindex: -1 }, `Policies of ${repoId}`),
      pick,
      rules,
      dryRunBox(ctx, repoId),
      ctx.session.user.admin ? publishBox(ctx, repoId, load) : undefined,
    ),
    dispose: () => undefined,
  };
}

function ruleTables(view: PolicyView): HTMLElement {
  const table = (caption: string, list: readonly RuleView[]) =>
    h(
      "table",
      { class: "rules" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Rule"),
          h("th", {}, "Severity"),
          h("th", {}, "Timeout"),
          h("th", {}, "Source"),
          h("th", {}, "What it stops"),
        ),
      ),
      h(
        "tbody",
        {},
        list.map((rule) =>
          h(
            "tr",
            { "data-testid": "rule" },
            h("td", {}, h("code", {}, rule.rule_id)),
            h("td", {}, rule.severity ? severityBadge(rule.severity) : "–"),
            h("td", {}, rule.approval_timeout_s ? `${rule.approval_timeout_s} s` : "–"),
            h("td", {}, rule.source),
            h("td", {}, rule.summary ?? rule.category ?? ""),
          ),
        ),
      ),
    );
  return h(
    "div",
    { "data-testid": "policy-view" },
    facts([
      ["Version", view.version === 0 ? "0 (built-in rules only)" : String(view.version)],
      ["Built-in rules", view.builtin_version],
      ["Disabled", view.disabled.length > 0 ? view.disabled.join(", ") : "none"],
    ]),
    table("Hard rules: a match is a DENY", view.hard),
    table("Soft rules: a match asks a human", view.soft),
  );
}

function dryRunBox(ctx: PageContext, repoId: string): HTMLElement {
  const result = h("div", { "aria-live": "polite", "data-testid": "dry-run-result" });
  const tool = h("input", {
    type: "text",
    id: "dry-tool",
    name: "tool_name",
    value: "Bash",
    spellcheck: false,
  });
  const input = h("textarea", {
    id: "dry-input",
    name: "tool_input",
    rows: 4,
    spellcheck: false,
    value: JSON.stringify({ command: "git push --force origin main" }),
  });
  const readOnly = h("input", { type: "checkbox", id: "dry-read-only", name: "read_only" });
  return h(
    "form",
    {
      class: "box",
      "data-testid": "dry-run",
      on: {
        submit: (event) => {
          event.preventDefault();
          const toolInput = parseObject(input.value);
          if (!toolInput) {
            replaceChildren(
              result,
              errorBox(new Error('The tool input must be a JSON object, e.g. {"command": "ls"}.')),
            );
            return;
          }
          ctx.api
            .dryRun(repoId, {
              tool_name: tool.value.trim(),
              tool_input: toolInput,
              ...(readOnly.checked ? { read_only: true } : {}),
            })
            .then(
              (answer) =>
                replaceChildren(
                  result,
                  facts([
                    [
                      "Decision",
                      h("strong", { class: `decision-${answer.decision.toLowerCase()}` }, answer.decision),
                    ],
                    ["Decided by", answer.source],
                    ["Reason", answer.reason],
                    ["Rules", answer.rule_ids.join(", ") || "none"],
                    ...(answer.severity ? [["Severity", severityBadge(answer.severity)] as const] : []),
                  ]),
                ),
              (error: unknown) => replaceChildren(result, errorBox(error)),
            );
        },
      },
    },
    h("h2", {}, "Dry run"),
    h("p", {}, "What the rules in force would decide for a call. Nothing is written."),
    h("label", { for: "dry-tool" }, "Tool"),
    tool,
    h("label", { for: "dry-input" }, "Tool input (JSON)"),
    input,
    h("span", { class: "confirm" }, readOnly, h("label", { for: "dry-read-only" }, " As a read-only task")),
    h("button", { type: "submit", class: "primary" }, "Evaluate"),
    result,
  );
}

function publishBox(ctx: PageContext, repoId: string, reload: () => Promise<void>): HTMLElement {
  const result = h("div", { "aria-live": "polite", "data-testid": "publish-result" });
  const text = h("textarea", {
    id: "publish-text",
    name: "policies",
    rows: 10,
    spellcheck: false,
    placeholder:
      '@rule_id("no_prod_deploy")\n@tier("soft")\nforbid (principal, action, resource) when { … };',
  });
  const disable = h("input", {
    type: "text",
    id: "publish-disable",
    name: "disable",
    placeholder: "soft built-in rule ids, comma-separated",
    spellcheck: false,
  });
  return h(
    "form",
    {
      class: "box",
      "data-testid": "publish",
      on: {
        submit: (event) => {
          event.preventDefault();
          const ids = disable.value
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "");
          ctx.api.publish(repoId, { policies: text.value, ...(ids.length > 0 ? { disable: ids } : {}) }).then(
            (published) => {
              replaceChildren(
                result,
                h("p", { class: "alert ok" }, `Published version ${published.version}.`),
                published.warnings.length > 0
                  ? h(
                      "ul",
                      { class: "warnings" },
                      published.warnings.map((w) => h("li", {}, w)),
                    )
                  : undefined,
              );
              void reload();
            },
            (error: unknown) => {
              const diagnostics =
                error instanceof ApiError && Array.isArray(error.details?.diagnostics)
                  ? (error.details.diagnostics as { rule_id?: string; message?: string }[])
                  : [];
              replaceChildren(
                result,
                errorBox(error),
                diagnostics.length > 0
                  ? h(
                      "ul",
                      { class: "diagnostics", "data-testid": "diagnostics" },
                      diagnostics.map((d) =>
                        h(
                          "li",
                          {},
                          typeof d.rule_id === "string" ? [h("code", {}, d.rule_id), ": "] : undefined,
                          String(d.message ?? ""),
                        ),
                      ),
                    )
                  : undefined,
              );
            },
          );
        },
      },
    },
    h("h2", {}, "Publish a new version"),
    h("p", {}, "Admins only. Versions are immutable; new tasks of the repo pin the latest."),
    h("label", { for: "publish-text" }, "Cedar policies"),
    text,
    h("label", { for: "publish-disable" }, "Disable"),
    disable,
    h("button", { type: "submit", class: "primary" }, "Publish"),
    result,
  );
}
