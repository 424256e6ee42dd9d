/**
 * The facts the analysis gives about each simple command a call would run: what the policy
 * engine sees in `context.cmd`, `context.write` and `context.push` (gates.cedarschema), one
 * type per Cedar record. Every attribute costs Cedar time on every request, so a fact earns its
 * place by being something rules read.
 */

/** What could not be known before the command runs. */
export const UNRESOLVED_KINDS = [
  "program",
  "subcommand",
  "arguments",
  "options",
  "script",
  "target",
] as const;
export type UnresolvedKind = (typeof UNRESOLVED_KINDS)[number];

/** One simple command, after unwrapping `sudo`, `env`, `xargs` and friends. */
export interface CommandFacts {
  /** The program's basename, quoting removed, lower-case, without `.exe`; `""` when not known or for a bare assignment. */
  readonly program: string;
  /** Options in force after `--no-x` and `--x=false`: the long name where the program has one for a letter (`-f` is `force`), else as written. */
  readonly flags: readonly string[];
  /** The subcommand of tools that have one (`git push`, `npm publish`), lower-case; `""` otherwise. */
  readonly subcommand: string;
  /** Arguments that are not options (after the subcommand, when there is one). */
  readonly operands: readonly string[];
  /** The operands that name paths (with a `/`, a leading `~` or `.`, or a wildcard), normalized; unknown ones as written. */
  readonly paths: readonly string[];
  /** The whole command as read: words, assignments and redirections joined by single spaces. */
  readonly text: string;
  /** The wrappers it was found inside, outermost first (`sudo`, `env`, `find`, …). */
  readonly wrappers: readonly string[];
  readonly unresolved: readonly UnresolvedKind[];
  /** It runs code that a download produced (`curl … | sh`, `eval "$(curl …)"`, `bash <(wget …)`). */
  readonly runs_download: boolean;
  /** SQL it hands to a database: comments removed, whitespace collapsed, lower-case; `""` for none. */
  readonly sql: string;
  /** How many shell scripts deep it was found: 0 at the top, 1 inside `bash -c`, … (not sent to Cedar). */
  readonly depth: number;
}

/** A file a command writes, creates, or deletes. */
export interface WriteFacts {
  /** Normalized, e.g. `.git/hooks/pre-commit`, `~/.ssh/authorized_keys`. */
  readonly path: string;
  /** The case-insensitive view. */
  readonly path_lower: string;
  /** The last segment of `path_lower`, e.g. `.env.local`. */
  readonly name_lower: string;
  /** False when part of the path is only known at run time (it is then shown as written). */
  readonly resolved: boolean;
}

/** One destination of a `git push`. */
export interface PushFacts {
  /** The branch or ref pushed to, lower-case without `refs/heads/`; `*` for every branch (`--all`, `--mirror`). */
  readonly ref: string;
  /** The push may discard history there: a force flag, a `+refspec`, or a deletion. */
  readonly force: boolean;
}

/** A command with what it writes and pushes; each write and push is judged together with the command. */
export interface AnalyzedCommand {
  readonly facts: CommandFacts;
  readonly writes: readonly WriteFacts[];
  readonly pushes: readonly PushFacts[];
}

/** Everything a call's command would run. */
export interface CommandAnalysis {
  readonly commands: readonly AnalyzedCommand[];
  /** False when part of the command could not be read, or it is past the analysis's limits. */
  readonly complete: boolean;
  /** Why it is not complete. */
  readonly problem?: string;
}
