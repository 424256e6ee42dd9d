import type { Analyzer } from "./analyze";
import type { Arg, Stream } from "./expand";
import type { CommandFacts, PushFacts, UnresolvedKind, WriteFacts } from "./facts";
import { handlerFor } from "./handlers";
import { type OptionSpec, readOptions } from "./options";
import { normalizePath } from "./paths";
import {
  COMMAND_VARIABLES,
  interpreterOf,
  NOT_FILES,
  SUBCOMMAND_WRAPPERS,
  TOOL_OPTIONS,
  WRAPPERS,
  type WrapperSpec,
} from "./programs";
import { copyState, inputOf, openDescriptors, type PreparedRedirect, type ShellState } from "./state";

/** A simple command with its words expanded, ready to be judged. */
export interface CommandInput {
  readonly assignments: readonly { name: string; value: Arg | undefined; append: boolean }[];
  /** The program and its arguments. */
  readonly args: readonly Arg[];
  readonly redirects: readonly PreparedRedirect[];
  readonly text: string;
  /** Wrappers already left behind, e.g. `find` for the command of its `-exec`. */
  readonly wrappers?: readonly string[];
  /** `export A=1`: the assignments are among the words and outlive the command. */
  readonly declaration?: boolean;
}

/** What a program handler works with and adds to. */
export interface CommandContext {
  readonly analyzer: Analyzer;
  readonly state: ShellState;
  /** What the command reads from its standard input. */
  readonly input: Stream;
  readonly depth: number;
  readonly unresolved: Set<UnresolvedKind>;
  readonly writes: WriteFacts[];
  readonly pushes: PushFacts[];
  /** Marks that the command runs code a download produced. */
  runsDownload(): void;
  /** Records a file the command writes, creates or deletes. */
  write(target: Arg): void;
  /** Records a file the command writes with something it downloaded. */
  writeDownload(target: Arg): void;
  /** Runs a file as code: a download if a downloader wrote it earlier in the command. */
  runFile(file: Arg): void;
  /** What reading a file gives, as far as the command so far shows (see {@link Analyzer.fileContent}). */
  readFile(file: Arg): Stream;
  /** Judges code the command runs: a script text, or what a stream holds. */
  runCode(code: Arg | Stream, input?: Stream): void;
}

/** What a handler found out about its program's arguments. */
export interface ProgramDetails {
  readonly subcommand?: string;
  readonly flags?: readonly string[];
  readonly operands?: readonly Arg[];
  readonly sql?: string;
  /** What the command writes to its output; by default unknown, or a download when its input is one. */
  readonly output?: Stream;
}

/** Shell keywords that cannot start a simple command. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  "do",
  "done",
  "then",
  "fi",
  "elif",
  "else",
  "esac",
  "in",
  "{",
  "}",
  "if",
  "while",
  "until",
  "select",
  "function",
  "]]",
]);

/** Reads one program's arguments: its options, operands, writes, code it runs and output. */
export type ProgramHandler = (ctx: CommandContext, args: readonly Arg[], program: string) => ProgramDetails;

/** The arguments at the given indexes. */
export function pick(args: readonly Arg[], indexes: readonly number[]): Arg[] {
  return indexes.map((i) => args[i] as Arg);
}

/** Unwrapping stops after this many wrappers, which no real command needs. */
const MAX_WRAPPERS = 12;

/** Judges one simple command: records its facts and returns what it writes to its output. */
export function judgeCommand(
  analyzer: Analyzer,
  command: CommandInput,
  state: ShellState,
  stream: Stream,
  depth: number,
): Stream {
  const unresolved = new Set<UnresolvedKind>();
  const writes: WriteFacts[] = [];
  const pushes: PushFacts[] = [];
  let runsDownload = false;
  const input = knownFileInput(
    analyzer,
    command.redirects,
    inputOf(command.redirects, stream, state.fds),
    state,
  );
  const ctx: CommandContext = {
    analyzer,
    state,
    input,
    depth,
    unresolved,
    writes,
    pushes,
    runsDownload: () => {
      runsDownload = true;
    },
    write: (target) => {
      const write = writeTarget(target, state.cwd);
      if (!write) return;
      if (!write.resolved) unresolved.add("target");
      writes.push(write);
    },
    writeDownload: (target) => {
      ctx.write(target);
      markDownloaded(analyzer, target, state.cwd);
    },
    runFile: (file) => {
      const path = file.value === undefined ? undefined : writeTarget(file, state.cwd);
      if (path?.resolved && analyzer.isDownloaded(path.path)) runsDownload = true;
    },
    runCode: (code, codeInput) => runCode(ctx, code, codeInput ?? { kind: "none" }),
    readFile: (file) => readFile(analyzer, file, state.cwd),
  };

  for (const a of command.assignments) {
    if (COMMAND_VARIABLES.has(a.name) && a.value) ctx.runCode(a.value);
  }
  for (const r of command.redirects) {
    if (r.kind === "file" && writesFile(r)) ctx.write(r.target);
  }
  expandAlias(ctx, command.args);
  const first = command.args[0];
  if (first?.value !== undefined && first.view === first.value && state.functions.has(first.value))
    analyzer.runFunction(first.value, command.args.slice(1), state, input, depth);

  if (command.args.length === 0) {
    // Assignments alone change the shell's variables for the commands that follow.
    for (const a of command.assignments) assign(state, a.name, a.value, a.append);
    analyzer.record({
      facts: facts(command, {
        program: "",
        args: [],
        wrappers: [],
        details: {},
        unresolved,
        runsDownload,
        depth,
        cwd: state.cwd,
      }),
      writes,
      pushes,
    });
    return { kind: "text", text: "" };
  }

  // `exec 3</dev/tcp/…` with no command opens descriptors for the rest of the script.
  if (command.args.length === 1 && command.args[0]?.value === "exec")
    openDescriptors(state, command.redirects);
  const invocation = unwrap(ctx, command.args);
  const programArg = invocation.words[0];
  const program = programArg ? programName(programArg) : undefined;
  const args = invocation.words.slice(1);
  if (programArg && program === undefined) {
    unresolved.add("program");
    if (programArg.download) ctx.runsDownload();
  }
  // A URL as the program is what `npx https://…/pkg.tgz` or `bunx git+https://…` fetch and run.
  if (programArg?.value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(programArg.value))
    ctx.runsDownload();
  else if (programArg?.value?.includes("/")) ctx.runFile(programArg);
  // `do rm …` or `sudo { …; }`: bash refuses such a line, so it is not read as commands either.
  if (program !== undefined && RESERVED_WORDS.has(program))
    analyzer.fail(`"${program}" is a shell keyword where a command was expected`);
  if (args.some((a) => a.value === undefined)) unresolved.add("arguments");
  if (args.some((a) => a.value === undefined && a.mayBeOptions)) unresolved.add("options");
  if (invocation.argumentsFromInput) {
    unresolved.add("arguments");
    unresolved.add("options");
  }

  if (command.declaration) {
    for (const a of command.assignments) assign(state, a.name, a.value, a.append);
  }
  const details = program === undefined ? {} : handlerFor(program)(ctx, args, program);
  analyzer.record({
    facts: facts(command, {
      program: program ?? "",
      args,
      wrappers: [...(command.wrappers ?? []), ...invocation.wrappers],
      details,
      unresolved,
      runsDownload,
      depth,
      cwd: state.cwd,
    }),
    writes,
    pushes,
  });
  const output: Stream =
    details.output ?? (input.kind === "download" ? { kind: "download" } : { kind: "unknown" });
  for (const r of command.redirects) {
    if (r.kind !== "file" || !writesFile(r) || !(r.fd === undefined || r.fd === 1) || r.operator === "<>")
      continue;
    // `curl … > f`: the file holds the download; `echo … > f`: it holds that text.
    if (output.kind === "download") markDownloaded(analyzer, r.target, state.cwd);
    const write = writeTarget(r.target, state.cwd);
    if (write?.resolved)
      analyzer.markWritten(write.path, output.kind === "text" ? output.text : undefined, r.operator === ">>");
  }
  return output;
}

/** A file read with `<`: a download or the text written to it earlier in the command, when known. */
function knownFileInput(
  analyzer: Analyzer,
  redirects: readonly PreparedRedirect[],
  input: Stream,
  state: ShellState,
): Stream {
  if (input.kind !== "file") return input;
  const from = redirects.findLast(
    (r) => r.kind === "file" && r.operator === "<" && (r.fd === undefined || r.fd === 0),
  );
  return from?.kind === "file" ? readFile(analyzer, from.target, state.cwd) : input;
}

function readFile(analyzer: Analyzer, file: Arg, cwd: string | undefined): Stream {
  if (file.process) return file.process;
  const path = writeTarget(file, cwd);
  return path?.resolved ? analyzer.fileContent(path.path) : { kind: "file" };
}

function facts(
  command: CommandInput,
  found: {
    program: string;
    args: readonly Arg[];
    wrappers: readonly string[];
    details: ProgramDetails;
    unresolved: ReadonlySet<UnresolvedKind>;
    runsDownload: boolean;
    depth: number;
    cwd?: string | undefined;
  },
): CommandFacts {
  const operands = known(found.details.operands ?? []);
  // Unknown operands are kept as written: `/home/$USER` still reads as a home directory.
  const paths: string[] = [];
  for (const o of found.details.operands ?? []) {
    const raw = o.value ?? o.view;
    if (o.process || !PATH_LIKE.test(raw)) continue;
    paths.push(normalizePath(raw, /^[/~\\]/.test(raw) ? "" : (found.cwd ?? "$PWD")).path);
  }
  return {
    program: found.program,
    flags: [...(found.details.flags ?? [])],
    subcommand: found.details.subcommand ?? "",
    operands,
    paths,
    text: command.text,
    wrappers: [...found.wrappers],
    unresolved: [...found.unresolved],
    runs_download: found.runsDownload,
    sql: found.details.sql ?? "",
    depth: found.depth,
  };
}

/** An operand that names a path: a separator, a leading `~` or `.`, a wildcard, or a part only known at run time. */
const PATH_LIKE = /[/\\*?[$]|^[~.]/;

/** The values of the arguments that are known. */
function known(args: readonly Arg[]): string[] {
  const out: string[] = [];
  for (const a of args) if (a.value !== undefined) out.push(a.value);
  return out;
}

/** The program a word names: basename, quoting gone, lower-case (case-insensitive file systems), no `.exe`. */
export function programName(arg: Arg): string | undefined {
  if (arg.value === undefined) return undefined;
  const base = arg.value.replace(/\\/g, "/").replace(/\/+$/, "");
  const name = base.slice(base.lastIndexOf("/") + 1).toLowerCase();
  // A glob in the program name (`/bin/r?`, `/bin/[r]m`) could be anything on the machine.
  if (/[*?]|\[.*\]/.test(name)) return undefined;
  return name.replace(/\.exe$/, "");
}

interface Invocation {
  readonly words: readonly Arg[];
  readonly wrappers: readonly string[];
  readonly argumentsFromInput: boolean;
}

/** Follows wrappers (`sudo`, `env`, `timeout`, `xargs`, `npx`, `python -m`, `docker exec`, …) to the command they run. */
function unwrap(ctx: CommandContext, initial: readonly Arg[]): Invocation {
  let words = initial;
  const wrappers: string[] = [];
  let argumentsFromInput = false;
  for (let hop = 0; hop < MAX_WRAPPERS && words.length > 0; hop++) {
    const name = programName(words[0] as Arg);
    if (name === undefined) break;
    const rest = words.slice(1);
    const spec = WRAPPERS[name];
    let next: readonly Arg[] | undefined;
    let label = name;
    if (spec) next = unwrapWith(ctx, spec, rest);
    else if (interpreterOf(name) === "python" || interpreterOf(name) === "pypy") next = pythonModule(rest);
    else if (SUBCOMMAND_WRAPPERS[name]) {
      const sub = subcommandOf(name, rest);
      const subSpec = sub ? SUBCOMMAND_WRAPPERS[name]?.[sub.name] : undefined;
      if (sub && subSpec) {
        next = unwrapWith(ctx, subSpec, rest.slice(sub.index + 1));
        label = `${name} ${sub.name}`;
      }
    }
    if (next === undefined) break;
    if (spec?.argumentsFromInput) argumentsFromInput = true;
    wrappers.push(label);
    words = next;
  }
  if (argumentsFromInput) {
    // Known input (`echo / | xargs rm -rf`) gives known arguments; otherwise they are unknown.
    if (ctx.input.kind === "text") {
      const fromInput = ctx.input.text
        .split(/\s+/)
        .filter((w) => w !== "")
        .map(literal);
      return { words: [...words, ...fromInput], wrappers, argumentsFromInput: false };
    }
    words = [
      ...words,
      { value: undefined, view: "…", mayBeOptions: true, download: ctx.input.kind === "download" },
    ];
  }
  return { words, wrappers, argumentsFromInput };
}

/** The command a wrapper runs, or undefined when it runs none (the wrapper is then the program). */
function unwrapWith(
  ctx: CommandContext,
  spec: WrapperSpec,
  rest: readonly Arg[],
): readonly Arg[] | undefined {
  const options = readOptions(rest, withScriptOptions(spec));
  if (spec.inertOptions?.some((o) => options.flags.has(o))) return undefined;
  for (const option of spec.scriptOptions ?? []) {
    if (!options.flags.has(option)) continue;
    const value = options.values.get(option);
    const index = rest.findIndex(
      (a, i) => i > 0 && rest[i - 1]?.value?.replace(/^-+/, "") === option && a.value === value,
    );
    ctx.runCode(index >= 0 ? (rest[index] as Arg) : literal(value ?? ""));
  }
  if (spec.becomes !== undefined) return [literal(spec.becomes), ...rest.slice(options.stop)];
  if (spec.afterDoubleDash) {
    const dash = rest.findIndex((a) => a.value === "--");
    return dash === -1 ? undefined : rest.slice(dash + 1);
  }
  let i = options.stop;
  if (spec.assignments) {
    while (i < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[i]?.value ?? "")) {
      const assignment = rest[i]?.value ?? "";
      const eq = assignment.indexOf("=");
      if (COMMAND_VARIABLES.has(assignment.slice(0, eq))) ctx.runCode(literal(assignment.slice(eq + 1)));
      i += 1;
    }
  }
  i += spec.skip ?? 0;
  if (spec.joinsArguments) {
    const script = rest.slice(i);
    if (script.length > 0) {
      const known = script.every((a) => a.value !== undefined);
      ctx.runCode(
        known
          ? literal(script.map((a) => a.value).join(" "))
          : { value: undefined, view: "", mayBeOptions: false, download: script.some((a) => a.download) },
      );
    }
    return undefined;
  }
  if (i >= rest.length) {
    // `sudo -s` with nothing after it starts a shell reading its input.
    return spec.shellOptions?.some((o) => options.flags.has(o)) ? [literal("sh")] : undefined;
  }
  return rest.slice(i);
}

const READING = new WeakMap<WrapperSpec, OptionSpec>();

/** A wrapper's options with its script options among the valued ones, built once per spec. */
function withScriptOptions(spec: WrapperSpec): OptionSpec {
  let reading = READING.get(spec);
  if (!reading) {
    reading = spec.scriptOptions
      ? { ...spec, valued: [...(spec.valued ?? []), ...spec.scriptOptions] }
      : spec;
    READING.set(spec, reading);
  }
  return reading;
}

/** `python -m twine upload` runs the module as the program. */
function pythonModule(rest: readonly Arg[]): readonly Arg[] | undefined {
  for (let i = 0; i < rest.length; i++) {
    const value = rest[i]?.value;
    if (value === undefined || !value.startsWith("-")) return undefined;
    if (value === "-m") return rest.slice(i + 1);
    if (value.startsWith("-m") && !value.startsWith("--"))
      return [literal(value.slice(2)), ...rest.slice(i + 1)];
    if (value === "-c" || value.startsWith("-c")) return undefined;
  }
  return undefined;
}

const STOP_AT_OPERAND: OptionSpec = { stopAtOperand: true };

/** The first operand after a tool's global options, lower-case, with its index. */
export function subcommandOf(
  program: string,
  args: readonly Arg[],
): { name: string; index: number } | undefined {
  const options = readOptions(args, TOOL_OPTIONS[program] ?? STOP_AT_OPERAND);
  const index = options.operands[0];
  if (index === undefined) return undefined;
  const value = args[index]?.value;
  return value === undefined ? undefined : { name: value.toLowerCase(), index };
}

/** Runs code found in a command: a script (parsed and judged one level down) or a stream's content. */
function runCode(ctx: CommandContext, code: Arg | Stream, input: Stream): void {
  if ("kind" in code) {
    if (code.kind === "text") ctx.analyzer.runScript(code.text, copyState(ctx.state), input, ctx.depth + 1);
    else if (code.kind === "download") ctx.runsDownload();
    // A heredoc with expansions in it: its text as written still shows what it runs.
    else if (code.kind === "unknown" && code.view !== undefined)
      ctx.analyzer.runScript(code.view, copyState(ctx.state), input, ctx.depth + 1);
    else if (code.kind === "unknown") ctx.unresolved.add("script");
    return;
  }
  if (code.process) {
    runCode(ctx, code.process, input);
    return;
  }
  if (code.value !== undefined) {
    ctx.analyzer.runScript(code.value, copyState(ctx.state), input, ctx.depth + 1);
    return;
  }
  if (code.download) ctx.runsDownload();
  else ctx.unresolved.add("script");
}

/**
 * A command whose first word is an alias defined earlier (and written plainly: `\ls` and `"ls"`
 * are not expanded) is also judged as what it stands for, with its arguments. Bash expands
 * aliases only in interactive shells or with `expand_aliases`; judging as if it did is the side
 * that cannot let a command through. The alias is not expanded again inside itself.
 */
function expandAlias(ctx: CommandContext, args: readonly Arg[]): void {
  const first = args[0];
  if (first?.value === undefined || first.view !== first.value) return;
  const text = ctx.state.aliases.get(first.value);
  if (text === undefined) return;
  const rest = args
    .slice(1)
    .map((a) => (a.value === undefined ? a.view : `'${a.value.replace(/'/g, "'\\''")}'`));
  const inner = copyState(ctx.state);
  inner.aliases.delete(first.value);
  ctx.analyzer.runScript([text, ...rest].join(" "), inner, ctx.input, ctx.depth + 1);
}

/** Whether a redirection writes a file (not `2>&1`, `>&-`, or input). */
function writesFile(r: Extract<PreparedRedirect, { kind: "file" }>): boolean {
  if (r.operator === "<" || r.operator === "<&") return false;
  if (
    (r.operator === ">&" || r.operator === "&>" || r.operator === "<&") &&
    /^(\d+|-)$/.test(r.target.value ?? "")
  )
    return r.operator === "&>";
  return true;
}

function markDownloaded(analyzer: Analyzer, target: Arg, cwd: string | undefined): void {
  const write = writeTarget(target, cwd);
  if (write?.resolved) analyzer.markDownloaded(write.path);
}

/** A write target as rules see it; undefined for devices that are not files. */
export function writeTarget(target: Arg, cwd: string | undefined): WriteFacts | undefined {
  const raw = target.value ?? target.view;
  if (target.value !== undefined && NOT_FILES.test(target.value)) return undefined;
  if (target.process) return undefined;
  const anchored = /^[/~\\]/.test(raw);
  const normalized = normalizePath(raw, anchored ? "" : (cwd ?? "$PWD"));
  return {
    path: normalized.path,
    path_lower: normalized.lower,
    name_lower: normalized.name,
    resolved: target.value !== undefined && (anchored || cwd !== undefined),
  };
}

/** A variable assignment that outlives its command. */
export function assign(state: ShellState, name: string, value: Arg | undefined, append: boolean): void {
  if (name === "") return;
  const before = state.vars.get(name);
  if (value?.value === undefined) {
    state.vars.set(name, { known: false, download: value?.download ?? false });
    return;
  }
  if (append) {
    if (before?.known) state.vars.set(name, { known: true, text: before.text + value.value });
    else state.vars.set(name, { known: false, download: false });
    return;
  }
  state.vars.set(name, { known: true, text: value.value });
}

/** A known argument made from text. */
export function literal(value: string): Arg {
  return { value, view: value, mayBeOptions: false, download: false };
}
