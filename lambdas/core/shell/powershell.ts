/**
 * PowerShell's cmdlets and their aliases, for the commands Claude Code's PowerShell tool runs.
 * The command is read with the shell parser, which splits a simple pipeline of cmdlets the way
 * PowerShell does; each cmdlet that a rule cares about is judged as the command it amounts to:
 * `Remove-Item -Recurse C:\` as `rm -rf /`, `iwr … | iex` as running a download, `Set-Content`,
 * `Out-File`, `Copy-Item` and friends as writes of their target (the web cmdlets are among the
 * downloaders in programs.ts). Syntax the parser cannot read
 * (script blocks, `$(…)` members) leaves the command not read completely, which asks.
 */

import { type CommandContext, literal, type ProgramHandler } from "./command";
import { singleQuoted } from "./escapes";
import type { Arg } from "./expand";

/** A cmdlet's parameters: switches (no value), named ones (a value), in PowerShell's case-insensitive prefix form. */
interface CmdletArgs {
  readonly switches: ReadonlySet<string>;
  readonly named: ReadonlyMap<string, Arg>;
  readonly positional: readonly Arg[];
}

/** Switch parameters of the cmdlets below; every other `-Name` takes a value. */
const SWITCHES = [
  "recurse",
  "force",
  "whatif",
  "confirm",
  "append",
  "noclobber",
  "nonewline",
  "passthru",
  "usebasicparsing",
  "container",
] as const;

/** Named parameters the cmdlets below take, so a unique prefix (`-Lit`) is read as the whole name. */
const NAMED = [
  "path",
  "literalpath",
  "filepath",
  "destination",
  "value",
  "encoding",
  "name",
  "itemtype",
  "newname",
  "include",
  "exclude",
  "filter",
  "inputobject",
  "uri",
  "outfile",
  "method",
  "body",
  "headers",
  "command",
] as const;

function fullName(written: string, names: readonly string[]): string {
  if (names.includes(written)) return written;
  const matches = names.filter((n) => n.startsWith(written));
  return matches.length === 1 ? (matches[0] as string) : written;
}

function readCmdletArgs(args: readonly Arg[]): CmdletArgs {
  const switches = new Set<string>();
  const named = new Map<string, Arg>();
  const positional: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as Arg;
    const text = arg.value;
    if (text === undefined || !/^-[A-Za-z]/.test(text)) {
      positional.push(arg);
      continue;
    }
    const colon = text.indexOf(":");
    const written = (colon === -1 ? text.slice(1) : text.slice(1, colon)).toLowerCase();
    const asSwitch = fullName(written, SWITCHES);
    if ((SWITCHES as readonly string[]).includes(asSwitch)) {
      // `-Confirm:$false` switches it off; any other value leaves it on.
      if (colon === -1 || !/^\$?false$/i.test(text.slice(colon + 1))) switches.add(asSwitch);
      continue;
    }
    const name = fullName(written, NAMED);
    if (colon !== -1) named.set(name, literal(text.slice(colon + 1)));
    else if (i + 1 < args.length) named.set(name, args[++i] as Arg);
  }
  return { switches, named, positional };
}

/** The paths a cmdlet acts on: `-Path`/`-LiteralPath` (comma lists too), else its first positional. */
function paths(cmdlet: CmdletArgs, names: readonly string[] = ["path", "literalpath"]): Arg[] {
  const given = names.map((n) => cmdlet.named.get(n)).find((a) => a !== undefined) ?? cmdlet.positional[0];
  if (!given) return [];
  if (given.value === undefined) return [given];
  return given.value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => literal(p.replace(/^(['"])(.*)\1$/, "$2")));
}

/**
 * `Remove-Item` (`ri`, `del`, `erase`, `rd`, `rmdir`): with `-Recurse` it deletes whole trees
 * without asking, so it is judged as `rm -rf` of its paths; without, as `rm -f`.
 */
export const removeItem: ProgramHandler = (ctx, args) => {
  const cmdlet = readCmdletArgs(args);
  if (cmdlet.switches.has("whatif")) return { operands: args };
  const targets = paths(cmdlet);
  const recursive = cmdlet.switches.has("recurse");
  for (const target of targets) {
    if (target.value === undefined) {
      ctx.unresolved.add("target");
      ctx.write(target);
    } else ctx.runCode(literal(`rm ${recursive ? "-rf" : "-f"} -- ${singleQuoted(target.value)}`));
  }
  return { flags: [...cmdlet.switches], operands: targets };
};

/** `Set-Content`, `Add-Content`, `Out-File`, `New-Item`, `Clear-Content`: the file they write. */
export const writeItem: ProgramHandler = (ctx, args) => {
  const cmdlet = readCmdletArgs(args);
  if (cmdlet.switches.has("whatif")) return { operands: args };
  const targets = paths(cmdlet, ["path", "literalpath", "filepath"]);
  for (const target of targets) ctx.write(target);
  return { flags: [...cmdlet.switches], operands: targets };
};

/** `Copy-Item`, `Move-Item`, `Rename-Item`: the destination (moves also remove their sources). */
export const copyItem =
  (removesSources: boolean): ProgramHandler =>
  (ctx, args, program) => {
    const cmdlet = readCmdletArgs(args);
    if (cmdlet.switches.has("whatif")) return { operands: args };
    const sources = paths(cmdlet);
    const destination =
      cmdlet.named.get("destination") ??
      cmdlet.named.get("newname") ??
      (cmdlet.named.has("path") || cmdlet.named.has("literalpath")
        ? cmdlet.positional[0]
        : cmdlet.positional[1]);
    if (destination) writeInto(ctx, destination, sources, program.startsWith("ren"));
    if (removesSources) for (const source of sources) ctx.write(source);
    return { flags: [...cmdlet.switches], operands: [...sources, ...(destination ? [destination] : [])] };
  };

/** A destination is the file itself, or a directory the sources land in under their own names. */
function writeInto(ctx: CommandContext, destination: Arg, sources: readonly Arg[], rename: boolean): void {
  ctx.write(destination);
  if (rename || destination.value === undefined) return;
  for (const source of sources) {
    const name = source.value
      ?.split(/[\\/]/)
      .filter((s) => s !== "")
      .pop();
    if (name) ctx.write(literal(`${destination.value.replace(/[\\/]+$/, "")}/${name}`));
  }
}

/**
 * `Invoke-Expression` (`iex`) runs PowerShell code: its argument, or what it is piped. Code
 * from a download is running a download; code only known at run time is unknown code.
 */
export const invokeExpression: ProgramHandler = (ctx, args) => {
  const code = args.find((a) => !a.value?.startsWith("-"));
  if (code) {
    if (code.download) ctx.runsDownload();
    else if (code.value === undefined) ctx.unresolved.add("script");
  } else if (ctx.input.kind === "download") ctx.runsDownload();
  else if (ctx.input.kind === "unknown") ctx.unresolved.add("script");
  return { operands: args };
};

/** Cmdlets and aliases, lower-case as program names are compared. */
export const POWERSHELL_HANDLERS: Readonly<Record<string, ProgramHandler>> = {
  "remove-item": removeItem,
  ri: removeItem,
  del: removeItem,
  erase: removeItem,
  rd: removeItem,
  "set-content": writeItem,
  "add-content": writeItem,
  ac: writeItem,
  "out-file": writeItem,
  "new-item": writeItem,
  ni: writeItem,
  "clear-content": writeItem,
  clc: writeItem,
  "copy-item": copyItem(false),
  cpi: copyItem(false),
  copy: copyItem(false),
  "move-item": copyItem(true),
  mi: copyItem(true),
  move: copyItem(true),
  "rename-item": copyItem(true),
  rni: copyItem(true),
  ren: copyItem(true),
  "invoke-expression": invokeExpression,
  iex: invokeExpression,
};

/**
 * PowerShell text as the shell parser should read it: a backslash is a path separator there,
 * never an escape, and a backtick escapes the character after it (a line's last backtick joins
 * the next line). So `\` becomes `/` (PowerShell takes both) and a backtick a backslash.
 */
export function powershellAsShell(text: string): string {
  return text.replace(/\\/g, "/").replace(/`/g, "\\");
}
