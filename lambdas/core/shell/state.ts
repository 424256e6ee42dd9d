import type { Arg, ExpansionScope, Stream, VariableValue } from "./expand";
import { expandWhole, expandWord } from "./expand";
import type { Redirect, ScriptNode, Word } from "./syntax";

/** The shell's state as the analysis follows it: known variables and the working directory. */
export interface ShellState {
  readonly vars: Map<string, VariableValue>;
  /** Relative to where the command starts (`""`); undefined once a `cd` leads somewhere unknown. */
  cwd: string | undefined;
  /** What descriptors opened by `exec 3< file` read, so `bash <&3` is followed. */
  readonly fds: Map<number, Stream>;
  /** Aliases defined earlier in the command, by name: the text each stands for. */
  readonly aliases: Map<string, string>;
  /** Functions defined earlier in the command, by name. */
  readonly functions: Map<string, ScriptNode>;
}

/** A redirection with its target expanded. */
export type PreparedRedirect =
  | { readonly kind: "file"; readonly operator: string; readonly fd?: number; readonly target: Arg }
  | { readonly kind: "input"; readonly fd?: number; readonly body: Arg; readonly operator: "<<" | "<<<" };

export function prepareRedirect(redirect: Redirect, scope: ExpansionScope): PreparedRedirect {
  switch (redirect.kind) {
    case "file": {
      const targets = expandWord(redirect.target, scope);
      const target =
        targets.length === 1
          ? (targets[0] as Arg)
          : { ...(targets[0] ?? unknownArg(redirect.target)), value: undefined };
      return { kind: "file", operator: redirect.operator, ...fd(redirect.fd), target };
    }
    case "heredoc":
      return { kind: "input", operator: "<<", ...fd(redirect.fd), body: expandWhole(redirect.body, scope) };
    case "herestring": {
      const body = expandWhole(redirect.word, scope);
      // A here-string is followed by a newline, like a heredoc's last line.
      return {
        kind: "input",
        operator: "<<<",
        ...fd(redirect.fd),
        body: body.value === undefined ? body : { ...body, value: `${body.value}\n` },
      };
    }
  }
}

function fd(value: number | undefined): { fd?: number } {
  return value === undefined ? {} : { fd: value };
}

function unknownArg(word: Word): Arg {
  return { value: undefined, view: word.source, mayBeOptions: true, download: false };
}

/** The input a command reads after its own redirections: a heredoc, here-string, file or open descriptor. */
export function inputOf(
  redirects: readonly PreparedRedirect[],
  input: Stream,
  fds: ReadonlyMap<number, Stream> = new Map(),
): Stream {
  let stream = input;
  for (const r of redirects) {
    if (r.fd !== undefined && r.fd !== 0) continue;
    if (r.kind === "file" && r.operator === "<&" && /^\d+$/.test(r.target.value ?? "")) {
      stream = fds.get(Number(r.target.value)) ?? { kind: "unknown" };
      continue;
    }
    if (r.kind === "input") {
      stream =
        r.body.value !== undefined
          ? { kind: "text", text: r.body.value }
          : r.body.download
            ? { kind: "download" }
            : { kind: "unknown", view: r.body.view };
    } else if (r.operator === "<" || r.operator === "<>") {
      stream = fileStream(r.target, input);
    }
  }
  return stream;
}

/** What reading a redirection's target gives: a process substitution's output, a network socket's download, a file. */
export function fileStream(target: Arg, input: Stream): Stream {
  if (target.process) return target.process;
  if (target.value !== undefined && /^\/dev\/(tcp|udp)\//.test(target.value)) return { kind: "download" };
  if (target.value === "/dev/stdin") return input;
  return target.download ? { kind: "download" } : { kind: "file" };
}

/** Descriptors a redirection-only `exec` opens for reading, e.g. `exec 3</dev/tcp/host/80`. */
export function openDescriptors(state: ShellState, redirects: readonly PreparedRedirect[]): void {
  for (const r of redirects) {
    if (r.kind === "file" && r.fd !== undefined && r.fd > 2 && (r.operator === "<" || r.operator === "<>"))
      state.fds.set(r.fd, fileStream(r.target, { kind: "none" }));
  }
}

export function copyState(state: ShellState): ShellState {
  return {
    vars: new Map(state.vars),
    cwd: state.cwd,
    fds: new Map(state.fds),
    aliases: new Map(state.aliases),
    functions: new Map(state.functions),
  };
}

/** What several commands in a row write: their texts joined, else the most telling kind. */
export function concatStreams(streams: readonly Stream[]): Stream {
  if (streams.length === 1) return streams[0] as Stream;
  if (streams.some((s) => s.kind === "download")) return { kind: "download" };
  if (streams.every((s) => s.kind === "text" || s.kind === "none"))
    return { kind: "text", text: streams.map((s) => (s.kind === "text" ? s.text : "")).join("") };
  return { kind: "unknown" };
}
