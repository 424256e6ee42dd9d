import { globMatches, isDegenerateGlob } from "./glob";
import { RULE_ID_PATTERN } from "./policy/rules";
import { normalizePath } from "./shell/paths";

/** What an approval grants for the rest of a task, in parsed form. */
export type Scope =
  | { kind: "this_call" }
  | { kind: "all_session" }
  | { kind: "tool"; tool: string }
  | { kind: "tool_group"; group: "file_write" }
  | { kind: "command"; glob: string }
  | { kind: "path"; glob: string }
  | { kind: "rule"; ruleId: string };

/** The discriminant of {@link Scope}. */
export type ScopeKind = Scope["kind"];

/** Every scope kind; the record makes the compiler refuse a list that misses a new one. */
export const SCOPE_KINDS = Object.keys({
  this_call: true,
  all_session: true,
  tool: true,
  tool_group: true,
  command: true,
  path: true,
  rule: true,
} satisfies Record<ScopeKind, true>) as ScopeKind[];

/** The outcome of {@link parseScope}: the scope and its canonical text, or a message saying how to fix it. */
export type ParseScopeResult = { ok: true; scope: Scope; canonical: string } | { ok: false; message: string };

/** The tools granted by `tool_group:file_write`. */
export const FILE_WRITE_TOOLS: ReadonlySet<string> = new Set(["Write", "Edit", "MultiEdit", "NotebookEdit"]);

/** The parts of a tool call that grants look at. */
export interface GrantFacts {
  readonly toolName: string;
  /**
   * The text of every simple command the call would run. Absent when the call has no command,
   * or when its command could not be read completely: then no `command:` grant covers it.
   */
  readonly commands?: readonly string[];
  /**
   * The normalized paths a `path:` grant must cover: every file the call writes, or the file
   * path of a call that writes none. Absent when no `path:` grant can cover the call.
   */
  readonly paths?: readonly string[];
}

const MAX_SCOPE_LENGTH = 256;
const MAX_LISTED_RULE_IDS = 5;
const ACCEPTED_FORMS =
  "this_call, all_session, tool:<ToolName>, tool_group:file_write, command:<glob>, path:<glob> or rule:<rule_id>";

type PrefixedKind = Exclude<ScopeKind, "this_call" | "all_session">;

/** Every accepted prefix, aliases included, with the kind it stands for. */
const PREFIXES: readonly { prefix: string; kind: PrefixedKind }[] = [
  { prefix: "tool:", kind: "tool" },
  { prefix: "tool_type:", kind: "tool" },
  { prefix: "tool_group:", kind: "tool_group" },
  { prefix: "command:", kind: "command" },
  { prefix: "bash_pattern:", kind: "command" },
  { prefix: "path:", kind: "path" },
  { prefix: "write_path:", kind: "path" },
  { prefix: "rule:", kind: "rule" },
];

/**
 * The kind of a scope text by its form alone (`tool:Bash` is `tool`), without checking its value;
 * undefined for text no scope has the form of. For reading scopes already stored.
 */
export function kindOfScope(text: string): ScopeKind | undefined {
  if (text === "this_call" || text === "all_session") return text;
  return PREFIXES.find(({ prefix }) => text.startsWith(prefix) && text.length > prefix.length)?.kind;
}

const EXAMPLES: Record<PrefixedKind, string> = {
  tool: "tool:Bash",
  tool_group: "tool_group:file_write",
  command: "command:git push *",
  path: "path:src/*",
  rule: "rule:force_push",
};

/**
 * Parses a scope as an approver typed it, accepting aliases and returning the canonical text to store.
 *
 * @param options.softRuleIds - the soft rule ids of the task's pinned policy version; when given, a
 *   `rule:` scope must name one of them, and when omitted that check is skipped.
 */
export function parseScope(
  raw: string,
  options: { softRuleIds?: ReadonlySet<string> } = {},
): ParseScopeResult {
  const text = raw.trim();
  if (text === "") {
    return refuse(`scope is empty: pass one of ${ACCEPTED_FORMS}, e.g. "tool:Bash"`);
  }
  const length = Array.from(text).length;
  if (length > MAX_SCOPE_LENGTH) {
    return refuse(
      `scope is ${length} characters long: it may be at most ${MAX_SCOPE_LENGTH}; use a shorter glob or a tool: scope`,
    );
  }
  if (text === "this_call" || text === "all_session") {
    return accept({ kind: text });
  }

  const match = PREFIXES.find(({ prefix }) => text.startsWith(prefix));
  if (match === undefined) {
    return refuse(unknownFormMessage(text));
  }
  const value = text.slice(match.prefix.length);
  if (value === "") {
    return refuse(
      `scope ${quote(text)} has nothing after the colon: name what it grants, e.g. ${quote(EXAMPLES[match.kind])}`,
    );
  }

  switch (match.kind) {
    case "tool":
      return accept({ kind: "tool", tool: value });
    case "tool_group":
      if (value !== "file_write") {
        return refuse(
          `scope ${quote(text)} names an unknown tool group: the only group is "file_write" ` +
            `(${[...FILE_WRITE_TOOLS].join(", ")}), e.g. "tool_group:file_write"`,
        );
      }
      return accept({ kind: "tool_group", group: "file_write" });
    case "command":
    case "path":
      if (isDegenerateGlob(value)) {
        return refuse(
          `scope ${quote(text)} is too broad: a glob needs at least 3 characters and more literal characters ` +
            `than wildcards (* or ?), e.g. ${quote(EXAMPLES[match.kind])}`,
        );
      }
      return accept({ kind: match.kind, glob: value });
    case "rule":
      return parseRuleScope(text, value, options.softRuleIds);
  }
}

/** The canonical text of a scope, the form in which grants are stored and shown. */
export function formatScope(scope: Scope): string {
  switch (scope.kind) {
    case "this_call":
    case "all_session":
      return scope.kind;
    case "tool":
      return `tool:${scope.tool}`;
    case "tool_group":
      return `tool_group:${scope.group}`;
    case "command":
    case "path":
      return `${scope.kind}:${scope.glob}`;
    case "rule":
      return `rule:${scope.ruleId}`;
  }
}

/**
 * Whether a non-`rule:` grant covers this whole call (used by pipeline step 4).
 * `this_call` and `rule:` never do. `all_session` always does. A `command:` glob must match
 * every simple command of the call, a `path:` glob every path it writes.
 */
export function grantCoversCall(scope: Scope, call: GrantFacts): boolean {
  switch (scope.kind) {
    case "all_session":
      return true;
    case "tool":
      return call.toolName === scope.tool;
    case "tool_group":
      return FILE_WRITE_TOOLS.has(call.toolName);
    case "command":
      return (
        call.commands !== undefined &&
        call.commands.length > 0 &&
        call.commands.every((text) => globMatches(scope.glob, text))
      );
    case "path":
      return (
        call.paths !== undefined &&
        call.paths.length > 0 &&
        call.paths.every((p) => pathGlobMatches(scope.glob, p))
      );
    case "this_call":
    case "rule":
      // A rule grant only covers calls whose soft matches are all granted, which the soft tier decides.
      return false;
  }
}

/**
 * Whether a `path:` glob matches a normalized path. The glob's literal directory part is
 * normalized the same way (`./src/*` is `src/*`), and a path that climbs out of the directory
 * the task starts in (`../…`) never matches a glob that does not itself start there.
 */
export function pathGlobMatches(glob: string, path: string): boolean {
  const pattern = normalizedGlob(glob);
  if ((path === ".." || path.startsWith("../")) && !pattern.startsWith("..")) return false;
  return globMatches(pattern, path);
}

/** A glob with its directory part before the first wildcard normalized as paths are. */
function normalizedGlob(glob: string): string {
  const wildcard = glob.search(/[*?]/);
  if (wildcard === -1) return normalizePath(glob).path;
  const cut = glob.lastIndexOf("/", wildcard);
  if (cut <= 0) return glob;
  const head = normalizePath(glob.slice(0, cut)).path;
  const prefix = head === "." ? "" : head === "/" ? "/" : `${head}/`;
  return `${prefix}${glob.slice(cut + 1)}`;
}

/** The rule ids covered by `rule:` grants among the given scopes. */
export function ruleGrants(scopes: readonly Scope[]): ReadonlySet<string> {
  const ruleIds = new Set<string>();
  for (const scope of scopes) {
    if (scope.kind === "rule") {
      ruleIds.add(scope.ruleId);
    }
  }
  return ruleIds;
}

function parseRuleScope(
  text: string,
  ruleId: string,
  softRuleIds: ReadonlySet<string> | undefined,
): ParseScopeResult {
  if (!RULE_ID_PATTERN.test(ruleId)) {
    return refuse(
      `scope ${quote(text)} has a malformed rule id: a rule id is 2 to 64 lower-case letters, digits or ` +
        `underscores starting with a letter, e.g. "rule:force_push"`,
    );
  }
  if (softRuleIds !== undefined && !softRuleIds.has(ruleId)) {
    if (softRuleIds.size === 0) {
      return refuse(
        `scope ${quote(text)} names no soft rule: the task's policy version has no soft rules, ` +
          `so grant a tool:, command: or path: scope instead`,
      );
    }
    const known = [...softRuleIds].sort();
    const listed = known.slice(0, MAX_LISTED_RULE_IDS).join(", ");
    const more = known.length > MAX_LISTED_RULE_IDS ? ` and ${known.length - MAX_LISTED_RULE_IDS} more` : "";
    return refuse(
      `scope ${quote(text)} does not name a soft rule of the task's policy version: ` +
        `it must name one of ${listed}${more}`,
    );
  }
  return accept({ kind: "rule", ruleId });
}

function unknownFormMessage(text: string): string {
  const lower = text.toLowerCase();
  if (lower === "this_call" || lower === "all_session") {
    return `scope ${quote(text)} is not recognised: scope names are lower case, e.g. ${quote(lower)}`;
  }
  if (lower.startsWith("this_call:") || lower.startsWith("all_session:")) {
    return `scope ${quote(text)} is not recognised: this_call and all_session take no value, e.g. "all_session"`;
  }
  const caseMatch = PREFIXES.find(({ prefix }) => lower.startsWith(prefix));
  if (caseMatch !== undefined) {
    const fixed = caseMatch.prefix + text.slice(caseMatch.prefix.length);
    return `scope ${quote(text)} has an unknown prefix: prefixes are lower case, e.g. ${quote(fixed)}`;
  }
  return `scope ${quote(text)} has an unknown form: use one of ${ACCEPTED_FORMS}`;
}

function accept(scope: Scope): ParseScopeResult {
  return { ok: true, scope, canonical: formatScope(scope) };
}

function refuse(message: string): ParseScopeResult {
  return { ok: false, message };
}

/** Quotes user text with escapes, so control characters in a refused scope cannot garble the message. */
function quote(text: string): string {
  return JSON.stringify(text);
}
