import { type CommandInput, judgeCommand } from "./command";
import {
  type Arg,
  DEFAULT_IFS,
  type ExpansionScope,
  expandWhole,
  expandWord,
  type Stream,
  type VariableValue,
} from "./expand";
import type { AnalyzedCommand, CommandAnalysis } from "./facts";
import { concatStreams, copyState, inputOf, prepareRedirect, type ShellState } from "./state";
import type { ParsedScript, ScriptNode, ShellParser } from "./syntax";

/** Scripts inside scripts (`bash -c "sh -c '…'"`) are read this many levels deep, no deeper. */
export const MAX_SCRIPT_DEPTH = 6;
/** At most this many distinct simple commands are judged per call; a longer command is not read completely. */
export const MAX_COMMANDS = 1000;
/** At most this much shell text is parsed per call, nested scripts included. */
export const MAX_PARSED_CHARS = 256 * 1024;
/** Loops over a short literal list are judged once per value, so `for d in / ~` is seen through. */
const MAX_UNROLLED_VALUES = 8;
/** Calls of functions followed per command: each one walks a body again, so calls of calls multiply. */
export const MAX_FUNCTION_CALLS = 256;

/**
 * Every simple command a call's `command` would run, with its facts: across pipelines, lists,
 * subshells and groups, substitutions and process substitutions, and the scripts of `bash -c`,
 * `eval`, `source` and heredocs, recursively. A string is parsed as a shell script; an array is
 * an argv (`["bash", "-c", "…"]`).
 */
export function analyzeCommand(command: string | readonly unknown[], parser: ShellParser): CommandAnalysis {
  const analyzer = new Analyzer(parser);
  const state: ShellState = {
    vars: new Map(),
    cwd: "",
    fds: new Map(),
    aliases: new Map(),
    functions: new Map(),
  };
  if (typeof command === "string") analyzer.runScript(command, state, { kind: "none" }, 0);
  else if (command.every((a): a is string => typeof a === "string")) {
    const args: Arg[] = command.map((value) => ({
      value,
      view: value,
      mayBeOptions: false,
      download: false,
    }));
    analyzer.runArgv(args, state);
  } else analyzer.fail("the command array holds something other than strings");
  return analyzer.result();
}

/** Walks scripts and collects command facts; shared by the command judge for nested scripts. */
export class Analyzer {
  private readonly commands: AnalyzedCommand[] = [];
  private readonly seen = new Set<string>();
  private problem: string | undefined;
  private parsedChars = 0;
  private functionCalls = 0;
  /** Files a downloader wrote earlier in the command, so running one later runs a download. */
  private readonly downloaded = new Set<string>();
  /** Files written earlier in the command with text known here, so reading one later reads it. */
  private readonly written = new Map<string, string>();

  constructor(private readonly parser: ShellParser) {}

  fail(problem: string): void {
    this.problem ??= problem;
  }

  result(): CommandAnalysis {
    return this.problem === undefined
      ? { commands: this.commands, complete: true }
      : { commands: this.commands, complete: false, problem: this.problem };
  }

  /** Notes that a downloader wrote this file (a normalized path). */
  markDownloaded(path: string): void {
    this.downloaded.add(path);
  }

  /** Whether a downloader wrote this file earlier in the command. */
  isDownloaded(path: string): boolean {
    if (this.downloaded.has(path)) return true;
    // A download extracted into a directory (`dir/*`, or `*` for the starting one) makes every file in it one.
    for (const tree of this.downloaded) {
      if (tree === "*" && !/^(\/|~|\.\.(\/|$))/.test(path)) return true;
      if (tree.endsWith("/*") && path.startsWith(tree.slice(0, -1))) return true;
    }
    return false;
  }

  /** Notes what a file holds after a write: known text (appended or not), or undefined when unknown. */
  markWritten(path: string, text: string | undefined, append: boolean): void {
    const before = this.written.get(path);
    if (text === undefined) this.written.delete(path);
    else this.written.set(path, append ? `${before ?? ""}${text}` : text);
  }

  /** What reading a file gives: a download or text written earlier in the command, else an unknown file. */
  fileContent(path: string): Stream {
    if (this.downloaded.has(path)) return { kind: "download" };
    const text = this.written.get(path);
    return text === undefined ? { kind: "file" } : { kind: "text", text };
  }

  /** Records a command once: a repeat of one already recorded (`true; true`) adds nothing. */
  record(command: AnalyzedCommand): void {
    if (this.commands.length > 0) {
      if (this.seen.size === 0) this.seen.add(JSON.stringify(this.commands[0]));
      const key = JSON.stringify(command);
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    if (this.commands.length >= MAX_COMMANDS) {
      this.fail(`the command runs more than ${MAX_COMMANDS} different simple commands`);
      return;
    }
    this.commands.push(command);
  }

  /** Parses and walks a script; returns what it writes to its output. */
  runScript(source: string, state: ShellState, input: Stream, depth: number): Stream {
    if (depth > MAX_SCRIPT_DEPTH) {
      this.fail(`the command nests scripts more than ${MAX_SCRIPT_DEPTH} levels deep`);
      return { kind: "unknown" };
    }
    this.parsedChars += source.length;
    if (this.parsedChars > MAX_PARSED_CHARS) {
      this.fail(`the command holds more than ${MAX_PARSED_CHARS / 1024} KiB of shell script`);
      return { kind: "unknown" };
    }
    return this.runParsed(this.parser.parse(source), state, input, depth);
  }

  runParsed(script: ParsedScript, state: ShellState, input: Stream, depth: number): Stream {
    if (script.problem !== undefined) this.fail(script.problem);
    return this.node(script.body, state, input, depth);
  }

  /**
   * A call of a function defined earlier: its body, with `$1`… and `$#` (and `$@`, `$*` for a
   * single argument) set to the arguments. The function is not called again inside itself.
   */
  runFunction(name: string, args: readonly Arg[], state: ShellState, input: Stream, depth: number): Stream {
    const body = state.functions.get(name);
    if (body === undefined) return { kind: "unknown" };
    this.functionCalls += 1;
    if (this.functionCalls > MAX_FUNCTION_CALLS) {
      this.fail(`the command calls functions more than ${MAX_FUNCTION_CALLS} times`);
      return { kind: "unknown" };
    }
    if (depth > MAX_SCRIPT_DEPTH) {
      this.fail(`the command nests scripts more than ${MAX_SCRIPT_DEPTH} levels deep`);
      return { kind: "unknown" };
    }
    const inner = copyState(state);
    inner.functions.delete(name);
    const value = (a: Arg | undefined): VariableValue =>
      a?.value !== undefined
        ? { known: true, text: a.value }
        : { known: false, download: a?.download ?? false };
    args.forEach((a, i) => {
      inner.vars.set(String(i + 1), value(a));
    });
    inner.vars.set("#", { known: true, text: String(args.length) });
    const all: VariableValue = args.length === 1 ? value(args[0]) : { known: false, download: false };
    inner.vars.set("@", all);
    inner.vars.set("*", all);
    return this.node(body, inner, input, depth + 1);
  }

  /** Judges an argv as one simple command. */
  runArgv(args: readonly Arg[], state: ShellState): void {
    judgeCommand(
      this,
      { assignments: [], args, redirects: [], text: args.map((a) => a.view).join(" ") },
      state,
      { kind: "none" },
      0,
    );
  }

  /** A scope for expanding words in `state`, running substitutions one level down. */
  scope(state: ShellState, depth: number): ExpansionScope {
    return {
      variable: (name) => variableValue(state, name),
      substitute: (script, direction) =>
        this.runParsed(
          script,
          copyState(state),
          direction === "write" ? { kind: "unknown" } : { kind: "none" },
          depth,
        ),
    };
  }

  private node(node: ScriptNode, state: ShellState, input: Stream, depth: number): Stream {
    switch (node.kind) {
      case "command": {
        const scope = this.scope(state, depth);
        const prepared: CommandInput = {
          assignments: node.assignments.map((a) => ({
            name: a.name,
            value: a.value ? expandWhole(a.value, scope) : undefined,
            append: a.append,
          })),
          args: node.words.flatMap((w) => expandWord(w, scope)),
          redirects: node.redirects.map((r) => prepareRedirect(r, scope)),
          text: "",
          ...(node.declaration ? { declaration: true } : {}),
        };
        return judgeCommand(this, { ...prepared, text: commandText(prepared) }, state, input, depth);
      }
      case "pipeline": {
        let stream = input;
        node.stages.forEach((stage) => {
          // Each stage runs in a child shell: its assignments and cd do not outlive it.
          stream = this.node(stage, copyState(state), stream, depth);
        });
        return stream;
      }
      case "sequence": {
        const outputs = node.items.map((item) => this.node(item, state, input, depth));
        return concatStreams(outputs);
      }
      case "subshell":
        return this.node(node.body, copyState(state), input, depth);
      case "redirected": {
        const scope = this.scope(state, depth);
        const redirects = node.redirects.map((r) => prepareRedirect(r, scope));
        // The redirections of a compound are judged as a command of their own (what it writes),
        // and its input reaches every command inside.
        const own: CommandInput = { assignments: [], args: [], redirects, text: "" };
        judgeCommand(this, { ...own, text: commandText(own) }, state, input, depth);
        return this.node(node.body, state, inputOf(redirects, input, state.fds), depth);
      }
      case "for": {
        const scope = this.scope(state, depth);
        const values = node.values?.flatMap((w) => expandWord(w, scope));
        const known = values?.every((v) => v.value !== undefined)
          ? values.map((v) => v.value as string)
          : undefined;
        if (known !== undefined && known.length > 0 && known.length <= MAX_UNROLLED_VALUES) {
          return concatStreams(
            known.map((value) => {
              state.vars.set(node.variable, { known: true, text: value });
              return this.node(node.body, state, input, depth);
            }),
          );
        }
        state.vars.set(node.variable, { known: false, download: values?.some((v) => v.download) ?? false });
        return this.node(node.body, state, input, depth);
      }
      case "function":
        this.node(node.body, copyState(state), { kind: "unknown" }, depth);
        // Kept for the calls that follow, which are judged with their arguments.
        state.functions.set(node.name, node.body);
        return { kind: "text", text: "" };
    }
  }
}

/** The command as one line: assignments, words and redirections as read, single spaces. */
function commandText(command: CommandInput): string {
  const parts: string[] = [];
  if (!command.declaration)
    for (const a of command.assignments)
      parts.push(`${a.name}${a.append ? "+=" : "="}${a.value?.view ?? ""}`);
  for (const arg of command.args) parts.push(arg.view);
  for (const r of command.redirects) {
    const fd = r.fd ?? "";
    if (r.kind === "input") parts.push(`${fd}${r.operator}`);
    else if (r.operator.endsWith("&") && /^(\d+|-)$/.test(r.target.view))
      parts.push(`${fd}${r.operator}${r.target.view}`);
    else parts.push(`${fd}${r.operator} ${r.target.view}`);
  }
  return parts.join(" ");
}

function variableValue(state: ShellState, name: string): VariableValue {
  const known = state.vars.get(name);
  if (known) return known;
  if (name === "HOME") return { known: true, text: "~" };
  // Unset, IFS splits on space, tab and newline: `rm${IFS}-rf${IFS}/` is `rm -rf /`.
  if (name === "IFS") return { known: true, text: DEFAULT_IFS };
  if (name === "PWD" && state.cwd !== undefined)
    return { known: true, text: state.cwd === "" ? "." : state.cwd };
  return { known: false, download: false };
}
