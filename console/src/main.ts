import { CONSOLE_CONFIG_PATH, type ConsoleConfig, type LocalIdentity, parseConsoleConfig } from "../config";
import { ConsoleApi } from "./api";
import { bearer, localToken } from "./auth/local-sign-in";
import type { Session } from "./auth/session";
import { h, replaceChildren } from "./dom";
import { inboxPage } from "./pages/inbox";
import { errorBox, type Page, type PageContext } from "./pages/page";
import { policiesPage } from "./pages/policies";
import { requestPage } from "./pages/request";
import { cognitoSignInPage, localSignInPage } from "./pages/sign-in";
import { taskPage } from "./pages/task";
import { hrefOf, parseRoute, type Route } from "./router";

const root = document.getElementById("app") ?? document.body;
let config: ConsoleConfig | undefined;
let session: Session | undefined;
let current: Page | undefined;

/** Loads the configuration, finishes a sign-in coming back from the Hosted UI, and shows the page. */
async function boot(): Promise<void> {
  try {
    const response = await fetch(CONSOLE_CONFIG_PATH, { credentials: "omit", cache: "no-store" });
    config = parseConsoleConfig(await response.json());
  } catch (error) {
    replaceChildren(
      root,
      errorBox(new Error(`The console cannot read its configuration: ${describe(error)}`)),
    );
    return;
  }
  if (config.mode === "cognito") {
    const { finishSignIn, TokenHolder } = await import("./auth/cognito-sign-in");
    try {
      const done = await finishSignIn(config);
      if (done) {
        await startSession(await cognitoSession(config, new TokenHolder(config, done.tokens)));
        history.replaceState(null, "", done.returnTo);
      }
    } catch (error) {
      show(parseRoute(location.hash), error);
      return;
    }
  }
  window.addEventListener("hashchange", () => show(parseRoute(location.hash)));
  show(parseRoute(location.hash));
}

async function cognitoSession(
  cfg: Extract<ConsoleConfig, { mode: "cognito" }>,
  tokens: import("./auth/cognito-sign-in").TokenHolder,
): Promise<Session> {
  const { cognitoAuthorizer, signOutUrl, startSignIn } = await import("./auth/cognito-sign-in");
  return {
    local: false,
    user: tokens.user(),
    authorize: await cognitoAuthorizer(cfg, tokens),
    reauthenticate: (returnTo) => void startSignIn(cfg, returnTo, true),
    signOut: () => location.assign(signOutUrl(cfg)),
  };
}

function localSession(identity: LocalIdentity): Session {
  const token = localToken(identity);
  return {
    local: true,
    user: {
      id: identity.id,
      label: identity.id,
      admin: identity.kind === "admin",
      authTime: Math.floor(Date.now() / 1000),
    },
    authorize: bearer(token),
    reauthenticate: (returnTo) => {
      session = undefined;
      location.hash = hrefOf({ page: "sign-in", returnTo });
    },
    signOut: () => {
      session = undefined;
      location.hash = hrefOf({ page: "sign-in" });
    },
  };
}

/** Takes a new session, checking it with the API (which also says whether it is an admin's). */
async function startSession(next: Session): Promise<void> {
  const who = await new ConsoleApi(next.authorize).whoami();
  session = { ...next, user: { ...next.user, id: who.id, admin: who.admin } };
}

function show(route: Route, failure?: unknown): void {
  current?.dispose();
  current = undefined;
  if (!config) return;
  if (!session || route.page === "sign-in") {
    const returnTo = route.page === "sign-in" ? (route.returnTo ?? "#/") : location.hash || "#/";
    const again = route.page === "sign-in" && route.returnTo !== undefined;
    replaceChildren(root, frame(signIn(config, returnTo, again, failure)));
    focusHeading();
    return;
  }
  const ctx: PageContext = {
    api: new ConsoleApi(session.authorize),
    session,
    criticalSignInMaxAgeMin: config.criticalSignInMaxAgeMin,
    navigate: (next) => {
      location.hash = hrefOf(next);
    },
  };
  current = pageFor(ctx, route);
  document.title = `${current.title} · Approval Gates`;
  replaceChildren(root, frame(current.node));
  focusHeading();
}

function pageFor(ctx: PageContext, route: Route): Page {
  switch (route.page) {
    case "request":
      return requestPage(ctx, route.taskId, route.requestId);
    case "task":
      return taskPage(ctx, route.taskId);
    case "policies":
      return policiesPage(ctx, route.repoId);
    default:
      return inboxPage(ctx);
  }
}

function signIn(cfg: ConsoleConfig, returnTo: string, again: boolean, failure?: unknown): HTMLElement {
  if (cfg.mode === "local") {
    return localSignInPage(cfg.identities, again, (identity) => {
      startSession(localSession(identity)).then(
        () => {
          if (location.hash === returnTo) show(parseRoute(returnTo));
          else location.hash = returnTo;
        },
        (error: unknown) => replaceChildren(root, frame(errorBox(error))),
      );
    });
  }
  return cognitoSignInPage(
    again,
    () => {
      void import("./auth/cognito-sign-in").then(({ startSignIn }) => startSignIn(cfg, returnTo, again));
    },
    failure,
  );
}

/** The page's frame: a skip link, the header with navigation and who is signed in, and the page. */
function frame(page: HTMLElement): HTMLElement[] {
  const local = config?.mode === "local";
  const user = session?.user;
  return [
    h(
      "a",
      {
        href: "#main",
        class: "skip",
        on: {
          click: (e) => {
            e.preventDefault();
            focusHeading();
          },
        },
      },
      "Skip to content",
    ),
    h(
      "header",
      { class: "top" },
      h("a", { href: "#/", class: "brand" }, "Approval Gates"),
      local
        ? h(
            "span",
            { class: "badge local", "data-testid": "local-badge", title: "Identities are not authenticated" },
            "LOCAL MODE",
          )
        : undefined,
      user
        ? h(
            "nav",
            { "aria-label": "Main" },
            h("a", { href: "#/" }, "Inbox"),
            h("a", { href: "#/policies" }, "Policies"),
          )
        : undefined,
      user
        ? h(
            "span",
            { class: "who", "data-testid": "who" },
            `${user.label}${user.admin ? " (admin)" : ""} `,
            h(
              "button",
              { type: "button", class: "small", on: { click: () => session?.signOut() } },
              "Sign out",
            ),
          )
        : undefined,
    ),
    h("main", { id: "main" }, page),
  ];
}

function focusHeading(): void {
  root.querySelector<HTMLElement>("h1")?.focus();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

void boot();
