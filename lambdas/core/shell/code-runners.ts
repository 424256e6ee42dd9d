// Programs that run code: shells, interpreters, eval, source, trap, alias, and database clients.

import { type CommandContext, literal, type ProgramHandler, pick } from "./command";
import { singleQuoted } from "./escapes";
import type { Arg, Stream } from "./expand";
import { fileWritesIn, recursiveDeletesIn, runsDownloadedCode, shellCommandsIn } from "./foreign-code";
import { readOptions } from "./options";
import { baseName } from "./paths";
import { powershellAsShell } from "./powershell";
import { DATABASE_DROPPERS, INTERPRETERS, interpreterOf, SHELL_OPTIONS } from "./programs";
import { normalizeSql } from "./sql";

/** A shell: `-c` runs its script operand; with no script file it runs what it reads from input. */
export const shell: ProgramHandler = (ctx, args) => {
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
/**
 * PowerShell (`pwsh`, `powershell`): its options are single-dash words in any case. `-Command -`,
 * `-` or no script reads the script from input; a known `-Command` script is judged as the
 * PowerShell it is (see powershell.ts), one from elsewhere by where it comes from;
 * `-EncodedCommand` is code nobody can read here.
 */
export const powershell: ProgramHandler = (ctx, args) => {
  const name = (arg: Arg | undefined) => arg?.value?.toLowerCase().replace(/^[-/]+/, "");
  let script = false;
  for (let i = 0; i < args.length; i++) {
    const option = name(args[i]);
    const next = args[i + 1];
    if (!args[i]?.value?.startsWith("-") || args[i]?.value === "-") {
      if (args[i]?.value === "-") powershellCode(ctx, ctx.input);
      else if (args[i]) ctx.runFile(args[i] as Arg);
      script = true;
      break;
    }
    if (option === "c" || option === "command") {
      if (next?.value === "-") powershellCode(ctx, ctx.input);
      else powershellCode(ctx, next);
      script = true;
      break;
    }
    if (option === "e" || option === "ec" || option === "encodedcommand") {
      ctx.unresolved.add("script");
      script = true;
      break;
    }
    if (option === "f" || option === "file") {
      if (next?.value === "-") powershellCode(ctx, ctx.input);
      else if (next) ctx.runFile(next);
      script = true;
      break;
    }
  }
  if (!script) powershellCode(ctx, ctx.input);
  return { operands: args };
};
/** An interpreter: its code options, a script from input or a process substitution, in-place edits. */
export const interpreter: ProgramHandler = (ctx, args, program) => {
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
    if (name && spec.codeOptions.includes(name) && code !== undefined) judgeForeignCode(ctx, code);
  }
  return { flags: [...options.flags], operands, ...dropsDatabase(program, operands) };
};
/**
 * What code of another language does that rules care about: the shell commands it runs are
 * judged as commands, the files it writes as writes, a recursive delete as `rm -rf`, and code
 * it fetches and runs as running a download.
 */
function judgeForeignCode(ctx: CommandContext, code: string): void {
  for (const script of shellCommandsIn(code)) ctx.runCode(literal(script));
  for (const path of fileWritesIn(code)) ctx.write(literal(path));
  for (const path of recursiveDeletesIn(code)) ctx.runCode(literal(`rm -rf -- ${singleQuoted(path)}`));
  if (runsDownloadedCode(code)) ctx.runsDownload();
}

/** PowerShell code: read as PowerShell when its text is known, else judged by where it comes from. */
function powershellCode(ctx: CommandContext, code: Arg | Stream | undefined): void {
  if (code && "kind" in code && code.kind === "text") ctx.runCode(literal(powershellAsShell(code.text)));
  else if (code && !("kind" in code) && code.value !== undefined)
    ctx.runCode(literal(powershellAsShell(code.value)));
  else opaqueCode(ctx, code);
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
export const evalBuiltin: ProgramHandler = (ctx, args) => {
  if (args.every((a) => a.value !== undefined))
    ctx.runCode(literal(args.map((a) => a.value).join(" ")), ctx.input);
  else if (args.some((a) => a.download)) ctx.runsDownload();
  else ctx.unresolved.add("script");
  return { operands: args };
};
export const source: ProgramHandler = (ctx, args) => {
  const file = args[0];
  if (!file) return { operands: [] };
  if (file.process) ctx.runCode(file.process);
  else if (file.value === "/dev/stdin" || file.value === "-") ctx.runCode(ctx.input);
  else if (file.value === undefined) ctx.unresolved.add("script");
  else ctx.runFile(file);
  return { operands: args };
};
export const trap: ProgramHandler = (ctx, args) => {
  const action = args[0]?.value === "--" ? args[1] : args[0];
  const signals = args.length - (args[0]?.value === "--" ? 2 : 1);
  if (action && signals > 0 && action.value !== "-" && !action.value?.startsWith("-")) ctx.runCode(action);
  return { operands: args };
};
export const alias: ProgramHandler = (ctx, args) => {
  for (const arg of args) {
    if (arg.value === undefined) ctx.unresolved.add("script");
    else if (arg.value.includes("=")) {
      const text = arg.value.slice(arg.value.indexOf("=") + 1);
      ctx.runCode(literal(text));
      // Kept for the commands that follow: `alias ls='rm -rf'; ls /` is judged as `rm -rf /`.
      ctx.state.aliases.set(arg.value.slice(0, arg.value.indexOf("=")), text);
    }
  }
  return { operands: args };
};
export const unalias: ProgramHandler = (ctx, args) => {
  for (const arg of args) {
    if (arg.value === "-a") ctx.state.aliases.clear();
    else if (arg.value !== undefined) ctx.state.aliases.delete(arg.value);
  }
  return { operands: args };
};
/** SQL clients: the SQL is in their arguments and their input; SQL only known at run time is unknown code. */
const SQL_OPTIONS = new Set(["-c", "--command", "-e", "--execute", "-q", "--query", "-Q", "--eval", "-cmd"]);
/** Options of SQL clients whose value is a file of SQL to run. */
const SQL_FILE_OPTIONS: ReadonlySet<string> = new Set(["-f", "--file", "-i", "--queries-file"]);
export const sqlClient: ProgramHandler = (ctx, args) => {
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
  // A script file written earlier in the command (`echo 'DROP …' > f.sql && psql -f f.sql`).
  args.forEach((arg, i) => {
    const file = SQL_FILE_OPTIONS.has(args[i - 1]?.value ?? "")
      ? arg
      : /^--(file|queries-file)=/.test(arg.value ?? "")
        ? literal((arg.value as string).slice((arg.value as string).indexOf("=") + 1))
        : undefined;
    const content = file ? ctx.readFile(file) : undefined;
    if (content?.kind === "text") pieces.push(content.text);
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
export const databaseDropper: ProgramHandler = (_ctx, args, program) => {
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
