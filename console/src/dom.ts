/**
 * Building the page, text only. Every string reaches the DOM as a text node or an attribute value,
 * never as markup: there is no `innerHTML` anywhere in the console (and the Content-Security-Policy's
 * Trusted Types would make one throw), so HTML, scripts and ANSI escapes in an agent's tool input
 * stay inert characters.
 */

/** A child of an element: a string becomes a text node; `undefined`, `false` and `null` add nothing. */
export type Child = Node | string | number | undefined | null | false | readonly Child[];

/** Attributes and the few properties the console sets; event handlers go through `on`. */
export interface Props {
  readonly class?: string;
  readonly id?: string;
  readonly href?: string;
  readonly type?: string;
  readonly name?: string;
  readonly value?: string;
  readonly placeholder?: string;
  readonly for?: string;
  readonly role?: string;
  readonly title?: string;
  readonly rows?: number;
  readonly checked?: boolean;
  readonly disabled?: boolean;
  readonly required?: boolean;
  readonly tabindex?: number;
  readonly autocomplete?: string;
  readonly spellcheck?: boolean;
  readonly "aria-live"?: "polite" | "assertive";
  readonly "aria-label"?: string;
  readonly "aria-current"?: "page";
  readonly "aria-describedby"?: string;
  readonly "data-testid"?: string;
  readonly "data-state"?: string;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** Creates an element with attributes and children; strings are always text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "on" || value === undefined || value === false) continue;
    if (name === "checked" || name === "value") {
      // Properties, so the control shows them after the user has touched it.
      (element as unknown as Record<string, unknown>)[name] = value;
    } else if (name === "href") {
      element.setAttribute("href", safeHref(String(value)));
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const [event, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(event, listener as EventListener);
  }
  append(element, children);
  return element;
}

/** Appends children to a node, strings as text nodes. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === "string" || typeof child === "number")
      parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child as Node);
  }
}

/** Replaces a node's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Only the console's own hash routes and https links; anything else (`javascript:`…) goes nowhere. */
function safeHref(href: string): string {
  return href.startsWith("#/") || href.startsWith("https://") ? href : "#/";
}
