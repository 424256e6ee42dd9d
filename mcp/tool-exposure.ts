import { globMatches } from "../lambdas/core/glob";

/** Between an upstream's name and its tool's: `files__read_file`. Upstream names never contain it. */
export const NAME_SEPARATOR = "__";

/** The control plane takes tool names of at most this many characters. */
const MAX_TOOL_NAME = 128;

/**
 * Words that name an approval-control operation. The gateway never offers such an operation
 * itself; a tool of an upstream whose name says it approves, denies, cancels, grants, revokes
 * decides, or changes policy is hidden too, unless the configuration vouches for it by exact name, so an
 * upstream that fronts a control plane cannot hand the agent its own approval.
 */
const CONTROL_WORDS =
  /(^|[^a-z])(approv|deny|denies|denial|reject|decid|cancel|grant|revok|polic|override|bypass)/;

/** The name a tool of an upstream is offered under. */
export function exposedName(upstream: string, tool: string): string {
  return `${upstream}${NAME_SEPARATOR}${tool}`;
}

/** The upstream and tool an exposed name stands for, or undefined when it is not of that form. */
export function splitExposedName(name: string): { upstream: string; tool: string } | undefined {
  const at = name.indexOf(NAME_SEPARATOR);
  if (at <= 0 || at + NAME_SEPARATOR.length >= name.length) return undefined;
  return { upstream: name.slice(0, at), tool: name.slice(at + NAME_SEPARATOR.length) };
}

/** Why a tool is not offered, or undefined when it is. */
export type Hidden =
  | "hidden by configuration"
  | "looks like an approval-control operation"
  | "name not usable";

export interface ExposureRules {
  readonly hide?: readonly string[];
  readonly allowControlLike?: readonly string[];
}

/**
 * Whether an exposed tool is offered (listed and callable). The same rule answers `tools/list`
 * and `tools/call`, so a tool that is not listed can never be called by guessing its name.
 */
export function hiddenBecause(name: string, rules: ExposureRules): Hidden | undefined {
  if (name.length > MAX_TOOL_NAME || !/^[A-Za-z0-9_.-]+$/.test(name)) return "name not usable";
  if ((rules.hide ?? []).some((pattern) => globMatches(pattern, name))) return "hidden by configuration";
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  if (CONTROL_WORDS.test(words) && !(rules.allowControlLike ?? []).includes(name))
    return "looks like an approval-control operation";
  return undefined;
}
