import { assign, type CommandContext, judgeCommand, literal, type ProgramDetails } from "./command";
import { decodeAnsiC } from "./escapes";
import type { Arg, Stream } from "./expand";
import { type OptionSpec, readOptions } from "./options";
import { baseName, changeDirectory } from "./paths";
import {
  DATABASE_DROPPERS,
  DOWNLOADERS,
  EDITORS,
  GIT_CODE_CONFIG,
  GIT_PUSH_OPTIONS,
  INTERPRETERS,
  interpreterOf,
  RM_OPTIONS,
  SAME_AS,
  SHELL_OPTIONS,
  SHELLS,
  SQL_CLIENTS,
  TOOL_OPTIONS,
} from "./programs";
import { normalizeSql } from "./sql";

/** Reads one program's arguments: its options, operands, writes, code it runs and output. */
export type ProgramHandler = (ctx: CommandContext, args: readonly Arg[], program: string) => ProgramDetails;

/** The handler of a program (after unwrapping), by name or by family. */
export function handlerFor(program: string): ProgramHandler {
  const own = Object.hasOwn(HANDLERS, program) ? HANDLERS[program] : undefined;
  if (own) return own;
  if (SHELLS.has(program)) return shell;
  if (interpreterOf(program)) return interpreter;
  if (SQL_CLIENTS.has(program)) return sqlClient;
  if (Object.hasOwn(DATABASE_DROPPERS, program)) return databaseDropper;
  if (EDITORS.has(program)) return editor;
  if (DOWNLOADERS.has(program)) return downloader;
  if (Object.hasOwn(TOOL_OPTIONS, SAME_AS[program] ?? program)) return tool;
  return generic;
}

const generic: ProgramHandler = (_ctx, args) => {
  const options = readOptions(args);
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};

/** What {@link tool} found, with where the subcommand is for handlers that read further. */
interface ToolDetails extends ProgramDetails {
  readonly subcommandIndex?: number;
  readonly globalFlags: ReadonlySet<string>;
}

const SINGLE_DASH: OptionSpec = { singleDash: true };

/** A tool with global options and a subcommand: `git -C x push`, `kubectl -n ns delete`, `npm --registry r publish`. */
const tool = (ctx: CommandContext, args: readonly Arg[], program: string): ToolDetails => {
  const family = SAME_AS[program] ?? program;
  const spec = TOOL_OPTIONS[family];
  const global = readOptions(args, spec);
  const index = global.operands[0];
  if (index === undefined) return { flags: [...global.flags], operands: [], globalFlags: global.flags };
  const word = args[index] as Arg;
  if (word.value === undefined) {
    ctx.unresolved.add("subcommand");
    return { flags: [...global.flags], operands: args.slice(index + 1), globalFlags: global.flags };
  }
  const subcommand = canonicalSubcommand(family, word.value.toLowerCase());
  const rest = args.slice(index + 1);
  const own = readOptions(rest, spec?.singleDash ? SINGLE_DASH : undefined);
  const flags = new Set(global.flags);
  for (const f of own.flags) flags.add(f);
  return {
    subcommand,
    subcommandIndex: index,
    flags: [...flags],
    operands: pick(rest, own.operands),
    globalFlags: global.flags,
  };
};

/** npm runs any unique prefix of a command: `npm pu` is `npm publish`. */
function canonicalSubcommand(family: string, subcommand: string): string {
  if (family === "npm" && subcommand.length >= 2 && "publish".startsWith(subcommand)) return "publish";
  return subcommand;
}

const git: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const index = details.subcommandIndex ?? args.length;
  for (let i = 0; i < index; i++) {
    if (args[i]?.value === "-c") gitConfigValue(ctx, args[i + 1]);
  }
  if (details.subcommandIndex === undefined) return details;
  const rest = args.slice(index + 1);
  if (details.subcommand === "push") return { ...details, ...gitPush(ctx, rest, details.globalFlags) };
  if (details.subcommand === "config") gitConfig(ctx, rest);
  return details;
};

/** `git -c key=value`: a key whose value git runs as a command is code the agent brings along. */
function gitConfigValue(ctx: CommandContext, arg: Arg | undefined): void {
  if (!arg) return;
  if (arg.value === undefined) {
    ctx.unresolved.add("arguments");
    return;
  }
  const eq = arg.value.indexOf("=");
  if (eq === -1) return;
  runConfigCode(ctx, arg.value.slice(0, eq).toLowerCase(), literal(arg.value.slice(eq + 1)));
}

function runConfigCode(ctx: CommandContext, key: string, value: Arg): void {
  if (!GIT_CODE_CONFIG.some((pattern) => pattern.test(key))) return;
  if (value.value === undefined) {
    ctx.unresolved.add("script");
    return;
  }
  // An alias is git arguments unless it starts with `!`, which makes it a shell command.
  if (key.startsWith("alias.")) {
    if (value.value.startsWith("!")) ctx.runCode(literal(value.value.slice(1)));
    return;
  }
  if (/(hookspath|^include|\.path$)/.test(key)) return;
  ctx.runCode(value);
}

/** `git config` writes `.git/config`; setting a key whose value git runs is a write rules look at. */
function gitConfig(ctx: CommandContext, rest: readonly Arg[]): void {
  const options = readOptions(rest, { valued: ["f", "file", "blob", "type", "default", "comment"] });
  const flags = options.flags;
  const elsewhere = ["global", "system", "f", "file", "blob"].some((f) => flags.has(f));
  const reading = [
    "get",
    "get-all",
    "get-regexp",
    "get-urlmatch",
    "list",
    "l",
    "show-origin",
    "show-scope",
  ].some((f) => flags.has(f));
  let operands = pick(rest, options.operands);
  if (operands[0]?.value === "set") operands = operands.slice(1);
  else if (["get", "list", "edit"].includes(operands[0]?.value ?? "")) return;
  const key = operands[0]?.value?.toLowerCase();
  const value = operands[1];
  if (elsewhere || reading || key === undefined || value === undefined) return;
  if (!GIT_CODE_CONFIG.some((pattern) => pattern.test(key))) return;
  ctx.write(literal(".git/config"));
  runConfigCode(ctx, key, value);
}

/** The destinations of a push, each with whether it may discard history there. */
function gitPush(
  ctx: CommandContext,
  rest: readonly Arg[],
  globalFlags: ReadonlySet<string>,
): ProgramDetails {
  const options = readOptions(rest, GIT_PUSH_OPTIONS);
  const flags = options.flags;
  const force = flags.has("force") || flags.has("force-with-lease") || flags.has("mirror");
  const deletion = flags.has("delete");
  const operands = pick(rest, options.operands);
  const refspecs = options.values.has("repo") ? operands : operands.slice(1);
  if (flags.has("all") || flags.has("branches") || flags.has("mirror")) ctx.pushes.push({ ref: "*", force });
  for (const spec of refspecs) {
    if (spec.value === undefined) continue;
    let text = spec.value;
    const plus = text.startsWith("+");
    if (plus) text = text.slice(1);
    const colon = text.indexOf(":");
    const source = colon === -1 ? text : text.slice(0, colon);
    const destination = (colon === -1 ? text : text.slice(colon + 1))
      .replace(/^refs\/heads\//i, "")
      .toLowerCase();
    if (destination === "") continue;
    ctx.pushes.push({
      ref: destination,
      force: force || plus || deletion || (colon !== -1 && source === ""),
    });
  }
  return { flags: [...new Set([...globalFlags, ...flags])], operands };
}

const rm: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, RM_OPTIONS);
  const operands = pick(args, options.operands);
  for (const target of operands) ctx.write(target);
  return { flags: [...options.flags], operands };
};

/** Programs whose operands are all files they write, create or delete. */
function writesOperands(spec: Parameters<typeof readOptions>[1] = {}, skipFirst = false): ProgramHandler {
  return (ctx, args) => {
    const options = readOptions(args, spec);
    const operands = pick(args, options.operands);
    const skip = skipFirst && !options.flags.has("reference") ? 1 : 0;
    for (const target of operands.slice(skip)) ctx.write(target);
    return { flags: [...options.flags], operands };
  };
}

/** cp, mv, install, ln: the destination, and the files that land in it. */
function copies(removesSources: boolean): ProgramHandler {
  return (ctx, args, program) => {
    const options = readOptions(args, {
      valued: ["t", "target-directory", "S", "suffix", "m", "mode", "o", "owner", "g", "group"],
    });
    const operands = pick(args, options.operands);
    const directory = options.values.get("target-directory") ?? options.values.get("t");
    if (program === "install" && options.flags.has("d")) {
      for (const target of operands) ctx.write(target);
    } else if (directory !== undefined) {
      ctx.write(literal(directory));
      for (const source of operands) ctx.write(joined(literal(directory), source));
      if (removesSources) for (const source of operands) ctx.write(source);
    } else if (operands.length >= 2) {
      const destination = operands[operands.length - 1] as Arg;
      const sources = operands.slice(0, -1);
      ctx.write(destination);
      if (sources.length > 1 || destination.value?.endsWith("/") || destination.value === undefined)
        for (const source of sources) ctx.write(joined(destination, source));
      if (removesSources) for (const source of sources) ctx.write(source);
    } else if (operands.length === 1 && program === "ln") {
      ctx.write(literal(baseName(operands[0]?.value ?? "")));
    }
    return { flags: [...options.flags], operands };
  };
}

function joined(directory: Arg, file: Arg): Arg {
  const name = file.value === undefined ? file.view : baseName(file.value);
  const dir = directory.value ?? directory.view;
  const view = `${dir.replace(/\/+$/, "")}/${name}`;
  return directory.value !== undefined && file.value !== undefined
    ? literal(view)
    : { ...literal(view), value: undefined };
}

/** `sed -i` edits its file operands in place (`-i`, `-i.bak`, `-Ei`, `--in-place`, BSD `-i ''`). */
const sed: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["e", "f", "expression", "file", "l", "line-length"] });
  const inPlace =
    options.flags.has("in-place") ||
    args.some((a) => /^-[a-zA-Z]*i/.test(a.value ?? "") && !a.value?.startsWith("--"));
  let operands = pick(args, options.operands);
  if (inPlace && operands[0]?.value === "") operands = operands.slice(1);
  const scripted = ["e", "f", "expression", "file"].some((f) => options.flags.has(f));
  const files = scripted ? operands : operands.slice(1);
  if (inPlace) for (const file of files) ctx.write(file);
  return { flags: [...options.flags], operands };
};

const dd: ProgramHandler = (ctx, args) => {
  for (const arg of args) {
    if (arg.value?.startsWith("of=")) ctx.write(literal(arg.value.slice(3)));
    else if (arg.value === undefined && arg.view.startsWith("of="))
      ctx.write({ ...literal(arg.view.slice(3)), value: undefined });
  }
  return { operands: args };
};

const tee: ProgramHandler = (ctx, args) => {
  const options = readOptions(args);
  const operands = pick(args, options.operands);
  for (const file of operands) {
    if (ctx.input.kind === "download") ctx.writeDownload(file);
    else ctx.write(file);
  }
  return { flags: [...options.flags], operands, output: ctx.input };
};

const cat: ProgramHandler = (ctx, args) => {
  const options = readOptions(args);
  const operands = pick(args, options.operands);
  if (operands.length === 0) return { flags: [...options.flags], operands, output: ctx.input };
  const streams: Stream[] = operands.map((o) =>
    o.process
      ? o.process
      : o.value === "-"
        ? ctx.input
        : o.download
          ? { kind: "download" }
          : { kind: "unknown" },
  );
  const download = streams.some((s) => s.kind === "download");
  return {
    flags: [...options.flags],
    operands,
    output: download ? { kind: "download" } : { kind: "unknown" },
  };
};

const echo: ProgramHandler = (_ctx, args) => {
  let i = 0;
  let newline = true;
  let escapes = false;
  for (; i < args.length && /^-[neE]+$/.test(args[i]?.value ?? ""); i++) {
    const flags = args[i]?.value as string;
    if (flags.includes("n")) newline = false;
    if (flags.includes("e")) escapes = true;
    if (flags.includes("E")) escapes = false;
  }
  const words = args.slice(i);
  const output = textOutput(words, (values) => {
    const text = values.join(" ");
    return (escapes ? decodeAnsiC(text) : text) + (newline ? "\n" : "");
  });
  return { operands: words, output };
};

const printf: ProgramHandler = (ctx, args) => {
  let rest = args;
  let variable: string | undefined;
  if (rest[0]?.value === "-v") {
    variable = rest[1]?.value;
    rest = rest.slice(2);
  }
  if (rest[0]?.value === "--") rest = rest.slice(1);
  const output = textOutput(rest, ([format = "", ...values]) => formatPrintf(format, values));
  if (variable !== undefined) {
    assign(ctx.state, variable, output.kind === "text" ? literal(output.text) : undefined, false);
    return { operands: rest, output: { kind: "text", text: "" } };
  }
  return { operands: rest, output };
};

/** Output made from known words, a download when any word is one, else unknown. */
function textOutput(words: readonly Arg[], render: (values: string[]) => string): Stream {
  if (words.every((w) => w.value !== undefined))
    return { kind: "text", text: render(words.map((w) => w.value as string)) };
  return words.some((w) => w.download) ? { kind: "download" } : { kind: "unknown" };
}

/** printf's format applied to its arguments, repeated while arguments remain, as bash does. */
function formatPrintf(format: string, values: readonly string[]): string {
  let out = "";
  let next = 0;
  for (let round = 0; round < 64; round++) {
    let used = false;
    out += decodeAnsiC(format).replace(
      /%([-+ 0#]*\d*(?:\.\d+)?)([sbdiouxXcfeEgG%])/g,
      (_m, _flags, conversion: string) => {
        if (conversion === "%") return "%";
        used = true;
        const value = values[next++] ?? "";
        return conversion === "b" ? decodeAnsiC(value) : value;
      },
    );
    if (!used || next >= values.length) break;
  }
  return out;
}

const base64: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["w", "wrap"] });
  const decode = options.flags.has("d") || options.flags.has("decode") || options.flags.has("D");
  const operands = pick(args, options.operands);
  if (decode && operands.length === 0 && ctx.input.kind === "text") {
    const compact = ctx.input.text.replace(/\s+/g, "");
    if (/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
      return {
        flags: [...options.flags],
        operands,
        output: { kind: "text", text: Buffer.from(compact, "base64").toString("utf8") },
      };
  }
  return { flags: [...options.flags], operands };
};

/** A shell: `-c` runs its script operand; with no script file it runs what it reads from input. */
const shell: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, SHELL_OPTIONS);
  const first = args[options.stop];
  if (options.flags.has("c")) {
    if (first) ctx.runCode(first, ctx.input);
  } else if (!first || first.value === "-" || first.value === "/dev/stdin" || options.flags.has("s")) {
    ctx.runCode(ctx.input);
  } else if (first.process) ctx.runCode(first.process);
  else if (first.value === undefined) ctx.unresolved.add("script");
  else ctx.runFile(first);
  return { flags: [...options.flags], operands: args.slice(options.stop) };
};

/** An interpreter: its code options, a script from input or a process substitution, in-place edits. */
const interpreter: ProgramHandler = (ctx, args, program) => {
  const spec = INTERPRETERS[interpreterOf(program) as string] ?? { codeOptions: [] };
  const options = readOptions(args, {
    valued: [...(spec.valued ?? []), ...spec.codeOptions],
    stopAtOperand: true,
  });
  const operands = args.slice(options.stop);
  const codeGiven = spec.codeOptions.some((o) => options.flags.has(o));
  for (let i = 0; i < options.stop; i++) {
    const name = args[i]?.value?.replace(/^-+/, "");
    if (name && spec.codeOptions.includes(name)) opaqueCode(ctx, args[i + 1]);
  }
  const first = operands[0];
  if (program === "deno" && first?.value === "run") {
    const target = operands.find((o, i) => i > 0 && !o.value?.startsWith("-"));
    if (target?.value && /^https?:\/\//i.test(target.value)) ctx.runsDownload();
  } else if (!codeGiven && !spec.notFromInput?.some((o) => options.flags.has(o))) {
    if (!first || first.value === "-") opaqueCode(ctx, ctx.input);
    else if (first.process) opaqueCode(ctx, first.process);
    else if (first.value && /^https?:\/\//i.test(first.value)) ctx.runsDownload();
    else ctx.runFile(first);
  }
  if (spec.inPlace?.some((o) => options.flags.has(o))) {
    for (const file of codeGiven ? operands : operands.slice(1)) ctx.write(file);
  }
  for (let i = 0; i < options.stop; i++) {
    const name = args[i]?.value?.replace(/^-+/, "");
    const code = args[i + 1]?.value;
    if (name && spec.codeOptions.includes(name) && code !== undefined) runShellOuts(ctx, code);
  }
  return { flags: [...options.flags], operands, ...dropsDatabase(program, operands) };
};

/**
 * Shell commands inside code of another language — `os.system("…")`, `subprocess.run([…])`,
 * `system("…")`, `execSync("…")`, backticks, `qx(…)` — are judged as the commands they are.
 */
function runShellOuts(ctx: CommandContext, code: string): void {
  const call =
    /\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|system|exec|execSync|execFileSync|spawnSync|spawn|popen|shell_exec|passthru|proc_open|IO\.popen)\s*\(\s*(\[[^\]]*\]|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/g;
  for (const match of code.matchAll(call)) {
    const argument = match[1] as string;
    const strings = [...argument.matchAll(/"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'/g)].map((m) =>
      (m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1"),
    );
    if (strings.length > 0) ctx.runCode(literal(strings.join(" ")));
  }
  for (const match of code.matchAll(/`([^`]*)`|\bqx\s*[({]([^)}]*)[)}]|%x\s*[({]([^)}]*)[)}]/g))
    ctx.runCode(literal(match[1] ?? match[2] ?? match[3] ?? ""));
}

/** Code in a language other than shell: opaque when known, else a download or unknown. */
function opaqueCode(ctx: CommandContext, code: Arg | Stream | undefined): void {
  if (!code) return;
  if ("kind" in code) {
    if (code.kind === "download") ctx.runsDownload();
    else if (code.kind === "unknown") ctx.unresolved.add("script");
    return;
  }
  if (code.process) {
    opaqueCode(ctx, code.process);
    return;
  }
  if (code.value !== undefined) return;
  if (code.download) ctx.runsDownload();
  else ctx.unresolved.add("script");
}

const evalBuiltin: ProgramHandler = (ctx, args) => {
  if (args.every((a) => a.value !== undefined))
    ctx.runCode(literal(args.map((a) => a.value).join(" ")), ctx.input);
  else if (args.some((a) => a.download)) ctx.runsDownload();
  else ctx.unresolved.add("script");
  return { operands: args };
};

const source: ProgramHandler = (ctx, args) => {
  const file = args[0];
  if (!file) return { operands: [] };
  if (file.process) ctx.runCode(file.process);
  else if (file.value === "/dev/stdin" || file.value === "-") ctx.runCode(ctx.input);
  else if (file.value === undefined) ctx.unresolved.add("script");
  else ctx.runFile(file);
  return { operands: args };
};

const trap: ProgramHandler = (ctx, args) => {
  const action = args[0]?.value === "--" ? args[1] : args[0];
  const signals = args.length - (args[0]?.value === "--" ? 2 : 1);
  if (action && signals > 0 && action.value !== "-" && !action.value?.startsWith("-")) ctx.runCode(action);
  return { operands: args };
};

const alias: ProgramHandler = (ctx, args) => {
  for (const arg of args) {
    if (arg.value === undefined) ctx.unresolved.add("script");
    else if (arg.value.includes("=")) ctx.runCode(literal(arg.value.slice(arg.value.indexOf("=") + 1)));
  }
  return { operands: args };
};

const cd: ProgramHandler = (ctx, args, program) => {
  const operands = args.filter((a) => !/^-[LPe@]+$/.test(a.value ?? ""));
  const target = operands[0];
  if (program === "popd") ctx.state.cwd = undefined;
  else if (!target) ctx.state.cwd = changeDirectory(ctx.state.cwd, "~");
  else ctx.state.cwd = target.value === undefined ? undefined : changeDirectory(ctx.state.cwd, target.value);
  return { operands };
};

const read: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["a", "d", "i", "n", "N", "p", "t", "u"] });
  for (const name of pick(args, options.operands))
    if (name.value) assign(ctx.state, name.value, undefined, false);
  const array = options.values.get("a");
  if (array) assign(ctx.state, array, undefined, false);
  return { flags: [...options.flags] };
};

const unset: ProgramHandler = (ctx, args) => {
  for (const name of args)
    if (name.value && !name.value.startsWith("-")) ctx.state.vars.set(name.value, { known: true, text: "" });
  return { operands: args };
};

/** SQL clients: the SQL is in their arguments and their input; SQL only known at run time is unknown code. */
const SQL_OPTIONS = new Set(["-c", "--command", "-e", "--execute", "-q", "--query", "-Q", "--eval", "-cmd"]);

const sqlClient: ProgramHandler = (ctx, args) => {
  // The SQL is in option values and operands; option names (`--eval`) would read as comments.
  const pieces: string[] = [];
  for (const a of args) {
    if (a.value === undefined) continue;
    if (!a.value.startsWith("-")) pieces.push(a.value);
    else if (a.value.includes("=")) pieces.push(a.value.slice(a.value.indexOf("=") + 1));
  }
  args.forEach((arg, i) => {
    const carriesSql =
      SQL_OPTIONS.has(args[i - 1]?.value ?? "") || /^--(command|execute|query|eval)=/.test(arg.view);
    if (arg.value === undefined && carriesSql) ctx.unresolved.add("script");
  });
  if (ctx.input.kind === "text") pieces.push(ctx.input.text);
  // A heredoc with expansions still shows its SQL as written.
  else if (ctx.input.kind === "unknown" && ctx.input.view !== undefined) pieces.push(ctx.input.view);
  const options = readOptions(args);
  return {
    flags: [...options.flags],
    operands: pick(args, options.operands),
    sql: normalizeSql(pieces.join(" ")),
  };
};

const databaseDropper: ProgramHandler = (_ctx, args, program) => {
  const options = readOptions(args);
  return {
    flags: [...options.flags],
    operands: pick(args, options.operands),
    ...dropsDatabase(program, args),
  };
};

/** `{sql: "drop database"}` when the command drops a database by itself (see {@link DATABASE_DROPPERS}). */
function dropsDatabase(program: string, args: readonly Arg[]): { sql?: string } {
  // `php artisan …`, `python manage.py …` and `npx sequelize …` are read as the script they run.
  const script = args.find((a) => a.value !== undefined && !a.value.startsWith("-"))?.value;
  const name =
    program in DATABASE_DROPPERS ? program : script !== undefined ? baseName(script).toLowerCase() : "";
  const words = DATABASE_DROPPERS[name];
  if (words === undefined) return {};
  const drops =
    words.length === 0 || args.some((a) => a.value !== undefined && words.includes(a.value.toLowerCase()));
  return drops ? { sql: "drop database" } : {};
}

const editor: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["c", "S", "u", "U", "i", "T", "t", "q", "w", "W", "s", "r"] });
  const operands = pick(args, options.operands).filter((a) => !a.value?.startsWith("+"));
  for (const file of operands) ctx.write(file);
  return { flags: [...options.flags], operands };
};

const kubectl: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  const action = details.operands?.[0]?.value;
  // `kubectl config set-credentials …` and friends rewrite the kubeconfig, credentials included.
  if (
    details.subcommand === "config" &&
    action !== undefined &&
    /^(set|unset|delete|rename|use)/.test(action)
  ) {
    const file = readOptions(args, TOOL_OPTIONS.kubectl).values.get("kubeconfig");
    ctx.write(literal(file ?? "~/.kube/config"));
  }
  return details;
};

const downloader: ProgramHandler = (_ctx, args) => {
  const options = readOptions(args);
  return { flags: [...options.flags], operands: pick(args, options.operands), output: { kind: "download" } };
};

const CURL_VALUED = [
  "o",
  "output",
  "output-dir",
  "D",
  "dump-header",
  "c",
  "cookie-jar",
  "trace",
  "trace-ascii",
  "libcurl",
  "stderr",
  "d",
  "data",
  "data-binary",
  "data-raw",
  "data-urlencode",
  "data-ascii",
  "json",
  "H",
  "header",
  "X",
  "request",
  "u",
  "user",
  "A",
  "user-agent",
  "e",
  "referer",
  "F",
  "form",
  "form-string",
  "T",
  "upload-file",
  "K",
  "config",
  "x",
  "proxy",
  "U",
  "proxy-user",
  "b",
  "cookie",
  "m",
  "max-time",
  "connect-timeout",
  "retry",
  "retry-delay",
  "retry-max-time",
  "w",
  "write-out",
  "r",
  "range",
  "E",
  "cert",
  "key",
  "cacert",
  "capath",
  "resolve",
  "connect-to",
  "interface",
  "url",
  "Y",
  "speed-limit",
  "y",
  "speed-time",
  "z",
  "time-cond",
  "C",
  "continue-at",
  "max-filesize",
  "limit-rate",
  "local-port",
  "oauth2-bearer",
  "aws-sigv4",
  "variable",
  "expand-url",
];

/** curl: downloads; `-o file`, `-O` and `--output-dir` save it to files instead. */
const curl: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: CURL_VALUED });
  const operands = pick(args, options.operands);
  const directory = options.values.get("output-dir");
  const place = (file: Arg) => (directory !== undefined ? joined(literal(directory), file) : file);
  let saved = false;
  args.forEach((arg, i) => {
    if ((arg.value === "-o" || arg.value === "--output") && args[i + 1]) {
      saved = true;
      if (args[i + 1]?.value !== "-") ctx.writeDownload(place(args[i + 1] as Arg));
    } else if (arg.value?.startsWith("--output=")) {
      saved = true;
      ctx.writeDownload(place(literal(arg.value.slice(9))));
    }
  });
  if (options.flags.has("O") || options.flags.has("remote-name") || options.flags.has("remote-name-all")) {
    saved = true;
    for (const url of operands)
      ctx.writeDownload(place(url.value === undefined ? url : literal(urlFileName(url.value))));
  }
  return {
    flags: [...options.flags],
    operands,
    output: saved ? { kind: "text", text: "" } : { kind: "download" },
  };
};

const WGET_VALUED = [
  "O",
  "output-document",
  "P",
  "directory-prefix",
  "o",
  "output-file",
  "a",
  "append-output",
  "i",
  "input-file",
  "U",
  "user-agent",
  "header",
  "e",
  "execute",
  "t",
  "tries",
  "T",
  "timeout",
  "w",
  "wait",
  "Q",
  "quota",
  "user",
  "password",
  "post-data",
  "post-file",
  "body-data",
  "body-file",
  "method",
  "B",
  "base",
  "load-cookies",
  "save-cookies",
  "ca-certificate",
  "certificate",
  "private-key",
];

/** wget: saves to the URL's file name, `-O file` or `-P dir`; `-O -` writes the download out. */
const wget: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: WGET_VALUED });
  const operands = pick(args, options.operands);
  const document = options.values.get("output-document") ?? options.values.get("O");
  const directory = options.values.get("directory-prefix") ?? options.values.get("P");
  for (const log of ["output-file", "o", "append-output", "a"]) {
    const file = options.values.get(log);
    if (file !== undefined) ctx.write(literal(file));
  }
  if (document === "-") return { flags: [...options.flags], operands, output: { kind: "download" } };
  if (document !== undefined) ctx.writeDownload(literal(document));
  else
    for (const url of operands) {
      const name = url.value === undefined ? url : literal(urlFileName(url.value) || "index.html");
      ctx.writeDownload(directory !== undefined ? joined(literal(directory), name) : name);
    }
  return { flags: [...options.flags], operands, output: { kind: "text", text: "" } };
};

function urlFileName(url: string): string {
  const path = url.replace(/[?#].*$/, "").replace(/^[a-z]+:\/\/[^/]*/i, "");
  return baseName(path);
}

const sort: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: [
      "o",
      "output",
      "k",
      "key",
      "t",
      "field-separator",
      "S",
      "buffer-size",
      "T",
      "temporary-directory",
      "parallel",
      "batch-size",
      "compress-program",
      "files0-from",
    ],
  });
  const out = options.values.get("output") ?? options.values.get("o");
  if (out !== undefined) ctx.write(literal(out));
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};

/** tar: `-c -f file` writes the archive; extracting writes into `-C dir` (or here). */
const tar: ProgramHandler = (ctx, args) => {
  const first = args[0]?.value;
  const normalized =
    first !== undefined && /^[a-zA-Z]+$/.test(first) ? [literal(`-${first}`), ...args.slice(1)] : args;
  const options = readOptions(normalized, {
    valued: [
      "f",
      "file",
      "C",
      "directory",
      "T",
      "files-from",
      "X",
      "exclude-from",
      "b",
      "blocking-factor",
      "g",
      "listed-incremental",
      "K",
      "N",
      "V",
      "L",
      "F",
      "H",
      "format",
      "exclude",
      "transform",
      "strip-components",
      "use-compress-program",
      "I",
      "owner",
      "group",
      "mode",
      "mtime",
    ],
  });
  const flags = options.flags;
  const file = options.values.get("file") ?? options.values.get("f");
  const directory = options.values.get("directory") ?? options.values.get("C");
  if (flags.has("x") || flags.has("extract") || flags.has("get"))
    ctx.write(literal(directory !== undefined ? `${directory}/*` : "*"));
  else if (
    ["c", "create", "r", "append", "u", "update"].some((f) => flags.has(f)) &&
    file !== undefined &&
    file !== "-"
  )
    ctx.write(literal(file));
  return { flags: [...flags], operands: pick(normalized, options.operands) };
};

const unzip: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["d", "x", "P", "I", "O"] });
  const directory = options.values.get("d");
  ctx.write(literal(directory !== undefined ? `${directory}/*` : "*"));
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};

/** find: `-delete` removes what it finds under its start paths; `-exec` runs a command on each. */
const find: ProgramHandler = (ctx, args) => {
  let i = 0;
  const starts: Arg[] = [];
  for (; i < args.length; i++) {
    const value = args[i]?.value;
    if (value !== undefined && /^[-(!),]/.test(value) && value !== "-") break;
    starts.push(args[i] as Arg);
  }
  const roots = starts.length > 0 ? starts : [literal(".")];
  const text = args.map((a) => a.view).join(" ");
  for (; i < args.length; i++) {
    const value = args[i]?.value;
    if (value === "-delete") {
      judgeCommand(
        ctx.analyzer,
        {
          assignments: [],
          args: [literal("rm"), literal("-rf"), literal("--"), ...roots],
          redirects: [],
          text: `find ${text}`,
          wrappers: ["find"],
        },
        ctx.state,
        { kind: "none" },
        ctx.depth,
      );
    } else if (value === "-exec" || value === "-execdir" || value === "-ok" || value === "-okdir") {
      const end = args.findIndex((a, j) => j > i && (a.value === ";" || a.value === "+"));
      const inner = args.slice(i + 1, end === -1 ? args.length : end).map((a) => foundFile(a, roots));
      if (inner.length > 0)
        judgeCommand(
          ctx.analyzer,
          {
            assignments: [],
            args: inner,
            redirects: [],
            text: inner.map((a) => a.view).join(" "),
            wrappers: ["find"],
          },
          ctx.state,
          { kind: "none" },
          ctx.depth,
        );
      i = end === -1 ? args.length : end;
    } else if (value === "-fprint" || value === "-fprint0" || value === "-fls" || value === "-fprintf") {
      const target = args[i + 1];
      if (target) ctx.write(target);
      i += value === "-fprintf" ? 2 : 1;
    }
  }
  return { operands: starts };
};

/** `{}` in a `find -exec` command stands for everything under the start path. */
function foundFile(arg: Arg, roots: readonly Arg[]): Arg {
  if (arg.value === undefined || !arg.value.includes("{}")) return arg;
  const root = roots.length === 1 ? roots[0]?.value : undefined;
  if (root === undefined) return { ...arg, value: undefined, mayBeOptions: false };
  const value = arg.value.replaceAll("{}", `${root.replace(/\/+$/, "")}/*`);
  return literal(value);
}

const sshKeygen: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: [
      "f",
      "t",
      "b",
      "C",
      "N",
      "P",
      "m",
      "O",
      "Z",
      "a",
      "n",
      "I",
      "V",
      "z",
      "s",
      "D",
      "E",
      "F",
      "R",
      "r",
      "w",
      "Y",
    ],
  });
  const file = options.values.get("f");
  // -l, -y, -F, -L and -B only read keys; generating or changing one writes it.
  const reads = ["l", "y", "F", "L", "B", "Q"].some((f) => options.flags.has(f));
  if (file !== undefined && !reads) {
    ctx.write(literal(file));
    ctx.write(literal(`${file}.pub`));
  }
  return { flags: [...options.flags] };
};

const aws: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  if (details.subcommand === "configure") {
    const operands = details.operands ?? [];
    const action = operands[0]?.value;
    if (action === undefined || action === "import") ctx.write(literal("~/.aws/credentials"));
    else if (action === "set") {
      const key = operands[1]?.value?.toLowerCase().replace(/^.*\./, "") ?? "";
      const secret = /^(aws_access_key_id|aws_secret_access_key|aws_session_token)$/.test(key);
      ctx.write(literal(secret ? "~/.aws/credentials" : "~/.aws/config"));
    } else if (action === "sso") ctx.write(literal("~/.aws/config"));
  }
  return details;
};

const containerCli: ProgramHandler = (ctx, args, program) => {
  const details = tool(ctx, args, program);
  if (details.subcommand === "login") ctx.write(literal("~/.docker/config.json"));
  return details;
};

function pick(args: readonly Arg[], indexes: readonly number[]): Arg[] {
  return indexes.map((i) => args[i] as Arg);
}

const HANDLERS: Readonly<Record<string, ProgramHandler>> = {
  git,
  rm,
  unlink: writesOperands(),
  rmdir: writesOperands(),
  shred: writesOperands({ valued: ["n", "iterations", "s", "size", "random-source"] }),
  truncate: writesOperands({ valued: ["s", "size", "r", "reference"] }),
  touch: writesOperands({ valued: ["d", "date", "t", "r", "reference"] }),
  mkdir: writesOperands({ valued: ["m", "mode", "context"] }),
  chmod: writesOperands({}, true),
  chown: writesOperands({ valued: ["from"] }, true),
  chgrp: writesOperands({}, true),
  chattr: writesOperands({ valued: ["v", "p"] }, true),
  setfacl: writesOperands({ valued: ["m", "x", "M", "X", "modify", "remove", "set", "set-file"] }),
  cp: copies(false),
  mv: copies(true),
  install: copies(false),
  ln: copies(false),
  sed,
  dd,
  tee,
  cat,
  echo,
  printf,
  base64,
  eval: evalBuiltin,
  source,
  ".": source,
  trap,
  alias,
  cd,
  pushd: cd,
  popd: cd,
  read,
  unset,
  curl,
  wget,
  sort,
  tar,
  unzip,
  find,
  "ssh-keygen": sshKeygen,
  aws,
  docker: containerCli,
  kubectl,
  oc: kubectl,
  podman: containerCli,
  sudoedit: writesOperands(),
};
