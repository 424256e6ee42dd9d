/**
 * Paths as rules compare them. A path is normalized the way the file system would resolve it
 * (`./`, `a/../`, `//`, backslashes), the home directory in any spelling becomes `~`, and a
 * lower-case view folds what case-insensitive file systems treat as the same name.
 */

/** A path in the forms rules look at. */
export interface NormalizedPath {
  /** e.g. `.git/hooks/pre-commit`, `~/.aws/credentials`, `/`, `/*`, `../x`. */
  readonly path: string;
  /** `path` lower-cased, with what case-insensitive file systems ignore removed (trailing dots and spaces, `GIT~1`). */
  readonly lower: string;
  /** The last segment of `lower`, e.g. `.env.local`. */
  readonly name: string;
}

/** A name with no separators, dots-only segments, home, wildcards or characters file systems fold. */
const SIMPLE_NAME = /^[A-Za-z0-9_+=@%,:-][A-Za-z0-9_.+=@%,:-]*$/;

/** Where home directories live, so `/home/alice/.ssh/id_rsa` reads as `~/.ssh/id_rsa`. */
const HOME_PREFIXES = [/^\/home\/[^/]+(?=\/|$)/, /^\/users\/[^/]+(?=\/|$)/i, /^\/root(?=\/|$)/];

/** Characters some file systems drop from names (HFS+ ignores these), so `.g\u200cit` is `.git` there. */
const IGNORED_IN_NAMES = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]/g;

/**
 * Normalizes a path, relative paths resolved against `cwd` (itself normalized, `""` for the
 * directory the command starts in). A segment made only of wildcards (`*`, `.*`, `?*`, `[!.]*`)
 * at the end collapses with the ones before it into one `*`, so `/*`, `/*\/*` and `/.*` all
 * read `/*`.
 */
export function normalizePath(raw: string, cwd = ""): NormalizedPath {
  // Most operands are plain names: nothing to resolve.
  if (cwd === "" && SIMPLE_NAME.test(raw)) {
    const lower = foldPath(raw);
    return { path: raw, lower, name: lower };
  }
  let text = raw.replace(/\\/g, "/");
  // A drive's root is a root: `C:\` is `/`, `C:\Users\bob` a home directory.
  if (/^[a-z]:(?:\/|$)/i.test(text)) text = text.slice(2) || "/";
  if (text.startsWith("~")) {
    // `~`, `~/x` and `~user/x` are all someone's home directory.
    const slash = text.indexOf("/");
    text = `~${slash === -1 ? "" : text.slice(slash)}`;
  } else if (!text.startsWith("/") && cwd !== "") {
    text = `${cwd}/${text}`;
  }
  for (const prefix of HOME_PREFIXES) text = text.replace(prefix, "~");

  const absolute = text.startsWith("/");
  const home = text === "~" || text.startsWith("~/");
  const segments: string[] = [];
  for (const segment of (home ? text.slice(1) : text).split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      const last = segments[segments.length - 1];
      if (last !== undefined && last !== "..") segments.pop();
      else if (!absolute) segments.push("..");
      continue;
    }
    segments.push(segment);
  }
  while (segments.length > 0 && isWildcardOnly(segments[segments.length - 1] as string)) {
    segments.pop();
    if (segments.length === 0 || !isWildcardOnly(segments[segments.length - 1] as string)) {
      segments.push("*");
      break;
    }
  }
  // Climbing out of the starting directory many times over reaches the root, wherever it started.
  if (!absolute && !home && segments.length >= 6 && segments.every((s) => s === "..")) {
    return normalizePath("/");
  }
  const root = absolute ? "/" : home ? "~/" : "";
  const path = segments.length === 0 ? (absolute ? "/" : home ? "~" : ".") : `${root}${segments.join("/")}`;
  const lower = foldPath(path);
  return { path, lower, name: lower.slice(lower.lastIndexOf("/") + 1) };
}

/** Whether a path segment matches every name of its directory, or nearly: only wildcards and dots. */
export function isWildcardOnly(segment: string): boolean {
  if (!/[*?[]/.test(segment)) return false;
  const withoutClasses = segment.replace(/\[[^\]]*\]/g, "?");
  return /^[*?.]+$/.test(withoutClasses) && /[*?]/.test(withoutClasses);
}

/** The case-insensitive view of a normalized path. */
function foldPath(path: string): string {
  return path
    .toLowerCase()
    .replace(IGNORED_IN_NAMES, "")
    .split("/")
    .map((segment) => {
      if (segment === "." || segment === ".." || segment === "~") return segment;
      // Windows drops trailing dots and spaces and alternate data streams (`.git::$INDEX_ALLOCATION`).
      const folded = segment.replace(/::\$[a-z_]*$/, "").replace(/[. ]+$/, "");
      // Its 8.3 short name for `.git` is `GIT~1`.
      return folded === "git~1" ? ".git" : folded === "" ? segment : folded;
    })
    .join("/");
}

/** The directory a `cd` leads to, or undefined when it cannot be known. */
export function changeDirectory(cwd: string | undefined, target: string | undefined): string | undefined {
  if (target === undefined || cwd === undefined) return undefined;
  if (target === "" || target === "~") return "~";
  if (target === "-") return undefined;
  const { path } = normalizePath(target, cwd);
  return path === "." ? "" : path;
}

/** The last segment of a path, e.g. the file a download is saved as. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, "");
  return trimmed.slice(Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\")) + 1);
}
