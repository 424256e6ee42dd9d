/** The console's pages, addressed by the URL's hash so any static host can serve the site. */
export type Route =
  | { readonly page: "inbox" }
  | { readonly page: "request"; readonly taskId: string; readonly requestId: string }
  | { readonly page: "task"; readonly taskId: string }
  | { readonly page: "policies"; readonly repoId?: string }
  | { readonly page: "sign-in"; readonly returnTo?: string };

/** The route of a hash such as `#/tasks/demo/requests/01…`; anything unknown is the inbox. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map((p) => safeDecode(p));
  if (parts.some((p) => p === undefined)) return { page: "inbox" };
  const [first, second, third, fourth] = parts as string[];
  if (first === "tasks" && second && third === "requests" && fourth && parts.length === 4)
    return { page: "request", taskId: second, requestId: fourth };
  if (first === "tasks" && second && parts.length === 2) return { page: "task", taskId: second };
  if (first === "policies" && parts.length <= 2)
    return second ? { page: "policies", repoId: second } : { page: "policies" };
  if (first === "sign-in" && parts.length === 1) {
    const returnTo = new URLSearchParams(query).get("return") ?? undefined;
    return returnTo?.startsWith("#/") ? { page: "sign-in", returnTo } : { page: "sign-in" };
  }
  return { page: "inbox" };
}

/** The hash of a route; ids are encoded, so a `/` in a repo id stays inside its segment. */
export function hrefOf(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case "inbox":
      return "#/";
    case "request":
      return `#/tasks/${e(route.taskId)}/requests/${e(route.requestId)}`;
    case "task":
      return `#/tasks/${e(route.taskId)}`;
    case "policies":
      return route.repoId ? `#/policies/${e(route.repoId)}` : "#/policies";
    case "sign-in":
      return route.returnTo ? `#/sign-in?${new URLSearchParams({ return: route.returnTo })}` : "#/sign-in";
  }
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
