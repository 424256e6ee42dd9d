import type { LocalIdentity } from "../../config";
import { isLocalId } from "../auth/local-sign-in";
import { h, replaceChildren } from "../dom";
import { errorBox } from "./page";

/**
 * Local mode's sign-in: pick one of the local identities (or name another). Nothing is
 * authenticated, and the page says so: anyone who can reach this machine's port can be anyone.
 */
export function localSignInPage(
  identities: readonly LocalIdentity[],
  again: boolean,
  pick: (identity: LocalIdentity) => void,
): HTMLElement {
  const problem = h("div", {});
  const id = h("input", {
    type: "text",
    id: "local-id",
    name: "id",
    spellcheck: false,
    autocomplete: "off",
    placeholder: "e.g. carol",
  });
  const kind = h(
    "select",
    { id: "local-kind", name: "kind" },
    h("option", { value: "human" }, "human"),
    h("option", { value: "admin" }, "admin"),
  );
  return h(
    "section",
    { class: "sign-in", "data-testid": "local-sign-in" },
    h("h1", { tabindex: -1 }, again ? "Sign in again" : "Sign in"),
    h(
      "p",
      { class: "alert warn", "data-testid": "local-mode-notice" },
      h("strong", {}, "Local mode. "),
      "These identities are not authenticated: they are the local tokens, which anyone who can reach this port can use. A deployment signs people in with Cognito instead.",
    ),
    again
      ? h("p", {}, "Approving a critical request needs a recent sign-in; pick your identity again.")
      : undefined,
    h(
      "ul",
      { class: "identities" },
      identities.map((identity) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "identity",
              "data-testid": `identity-${identity.id}`,
              on: { click: () => pick(identity) },
            },
            h("strong", {}, identity.id),
            ` (${identity.kind})`,
          ),
        ),
      ),
    ),
    h(
      "form",
      {
        class: "inline",
        on: {
          submit: (event) => {
            event.preventDefault();
            const value = id.value.trim();
            if (!isLocalId(value)) {
              replaceChildren(problem, errorBox(new Error("An id is 1–256 characters without spaces.")));
              return;
            }
            pick({ kind: kind.value === "admin" ? "admin" : "human", id: value });
          },
        },
      },
      h("label", { for: "local-id" }, "Another id "),
      id,
      h("label", { for: "local-kind" }, " as "),
      kind,
      h("button", { type: "submit" }, "Sign in"),
    ),
    problem,
  );
}

/** A deployment's sign-in: one button to the Cognito Hosted UI (or the organisation's IdP behind it). */
export function cognitoSignInPage(again: boolean, start: () => void, failure?: unknown): HTMLElement {
  return h(
    "section",
    { class: "sign-in" },
    h("h1", { tabindex: -1 }, again ? "Sign in again" : "Sign in"),
    failure ? errorBox(failure) : undefined,
    again ? h("p", {}, "Approving a critical request needs a recent sign-in.") : undefined,
    h(
      "p",
      {},
      "Approvers sign in with their organisation's account. Tokens stay in this tab's memory: closing it signs you out.",
    ),
    h(
      "button",
      { type: "button", class: "primary", "data-testid": "hosted-ui-sign-in", on: { click: start } },
      "Sign in",
    ),
  );
}
