import { FILE_WRITE_TOOLS } from "../scopes";
import { analyzeCommand } from "../shell/analyze";
import { singleQuoted } from "../shell/escapes";
import type { AnalyzedCommand, CommandAnalysis, CommandFacts, PushFacts, WriteFacts } from "../shell/facts";
import { normalizePath } from "../shell/paths";
import { powershellAsShell } from "../shell/powershell";
import type { ShellParser } from "../shell/syntax";
import { wellFormed } from "../well-formed";

/** At most this many units are judged per call (each is one Cedar request); past it the command is not read completely. */
export const MAX_UNITS = 1000;

/** A tool call as the pipeline passes it around. */
export interface ToolCall {
  readonly tool_name: string;
  readonly tool_input: Readonly<Record<string, unknown>>;
}

/**
 * One thing the policies judge on its own: a simple command together with one file it writes
 * or one ref it pushes to, a file tool's write, or (for a call with neither) the call alone.
 */
export interface CallUnit {
  readonly cmd?: CommandFacts;
  readonly write?: WriteFacts;
  readonly push?: PushFacts;
}

/** What the pipeline knows about a call before asking Cedar. */
export interface CallAnalysis {
  /** The call's command as text (an argv joined by spaces), when there is one: `command`, `cmd`, … with their `args`. */
  readonly command?: string;
  /** `tool_input.file_path`, else `path`, else `notebook_path`, when a string. */
  readonly filePath?: string;
  readonly url?: string;
  /** The command's analysis, when the call has a command. */
  readonly shell?: CommandAnalysis;
  readonly units: readonly CallUnit[];
}

/**
 * Reads a call: its command is parsed into the simple commands it would run, and every unit of
 * judgement is listed. A `command` that is a string is a shell script; an array of strings is an argv.
 */
export function analyzeCall(call: ToolCall, parser: ShellParser): CallAnalysis {
  const input = call.tool_input;
  const raw = commandOf(input);
  const filePath =
    stringField(input, "file_path") ?? stringField(input, "path") ?? stringField(input, "notebook_path");
  const url = stringField(input, "url");
  const base = {
    ...(filePath !== undefined ? { filePath } : {}),
    ...(url !== undefined ? { url } : {}),
  };
  const units: CallUnit[] = [];
  if (FILE_WRITE_TOOLS.has(call.tool_name)) {
    if (filePath !== undefined) units.push({ write: fileToolWrite(filePath) });
  } else if (writesFiles(call.tool_name)) {
    for (const path of pathFields(input)) units.push({ write: fileToolWrite(path) });
  }

  if (typeof raw === "string" || Array.isArray(raw)) {
    const text = (t: string) =>
      POWERSHELL_TOOLS.has(call.tool_name) ? powershellAsShell(wellFormed(t)) : wellFormed(t);
    const command =
      typeof raw === "string" ? text(raw) : raw.map((a) => (typeof a === "string" ? text(a) : a));
    const shell = analyzeCommand(command, parser);
    for (const analyzed of shell.commands) units.push(...unitsOf(analyzed));
    return {
      command: typeof command === "string" ? command : command.map((a) => String(a)).join(" "),
      ...base,
      shell,
      units: units.length > 0 ? units : [{}],
    };
  }
  return { ...base, units: units.length > 0 ? units : [{}] };
}

/** Tools whose command is PowerShell, not a POSIX shell: Claude Code's PowerShell tool. */
const POWERSHELL_TOOLS: ReadonlySet<string> = new Set(["PowerShell"]);

/** Where tools other than Claude Code's put the command they run: `cmd`, `command_line`, … */
const COMMAND_FIELDS = ["command", "cmd", "command_line", "commandLine", "shell_command"] as const;
/** Where a tool that spawns a program puts its arguments: `{command: "rm", args: ["-rf", "x"]}`. */
const ARGUMENT_FIELDS = ["args", "arguments", "argv"] as const;

/**
 * The command a call runs: a shell script, or an argv. A program with its arguments in a field
 * of their own is an argv, or, when the program field holds more than one word (a tool that
 * joins them for a shell), the script with the arguments quoted onto it.
 */
function commandOf(input: Readonly<Record<string, unknown>>): unknown {
  const field = COMMAND_FIELDS.find((f) => Object.hasOwn(input, f));
  if (field === undefined) return undefined;
  const command = input[field];
  const argsField = ARGUMENT_FIELDS.find((f) => Object.hasOwn(input, f) && Array.isArray(input[f]));
  const args = argsField === undefined ? [] : (input[argsField] as unknown[]);
  if (typeof command !== "string" || args.length === 0) return command;
  if (!/\s/.test(command.trim())) return [command.trim(), ...args];
  if (args.some((a) => typeof a !== "string")) return [command, ...args];
  return [command, ...(args as string[]).map(singleQuoted)].join(" ");
}

/**
 * Tools other than Claude Code's own that write files by their name: an MCP filesystem server's
 * `write_file`, `edit_file` or `move_file` behind the gateway (`fs__write_file`), `createFile`, …
 * A verb is a whole word of the name (split at `_`, `-`, `.`, `:`, `/` and camel case), so
 * `read_file` or `list_directory` are not writes.
 */
const WRITE_VERBS: ReadonlySet<string> = new Set([
  "write",
  "edit",
  "create",
  "move",
  "rename",
  "delete",
  "remove",
  "append",
  "patch",
  "save",
  "overwrite",
  "replace",
  "copy",
  "mkdir",
  "upload",
  "put",
]);

function writesFiles(toolName: string): boolean {
  const words = toolName
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_\-.:/]+/);
  return words.some((w) => WRITE_VERBS.has(w));
}

/** Input fields that name a file such a tool writes, moves or deletes. */
const PATH_FIELDS = [
  "file_path",
  "filePath",
  "path",
  "notebook_path",
  "filename",
  "file",
  "target",
  "destination",
  "source",
  "new_path",
  "old_path",
] as const;

function pathFields(input: Readonly<Record<string, unknown>>): string[] {
  const paths: string[] = [];
  for (const key of PATH_FIELDS) {
    const value = stringField(input, key);
    if (value !== undefined && value !== "") paths.push(value);
  }
  // `write_multiple_files`-style tools: a list of files, each with its path.
  const files = Object.hasOwn(input, "files") ? input.files : undefined;
  if (Array.isArray(files)) {
    for (const file of files) {
      if (typeof file === "string") paths.push(wellFormed(file));
      else if (file && typeof file === "object")
        for (const key of PATH_FIELDS) {
          const value = stringField(file as Record<string, unknown>, key);
          if (value !== undefined && value !== "") paths.push(value);
        }
    }
  }
  return [...new Set(paths)];
}

/** A command is judged once per file it writes and ref it pushes to, or once when it has neither. */
function unitsOf(analyzed: AnalyzedCommand): CallUnit[] {
  const units: CallUnit[] = [];
  for (const write of analyzed.writes) units.push({ cmd: analyzed.facts, write });
  for (const push of analyzed.pushes) units.push({ cmd: analyzed.facts, push });
  return units.length > 0 ? units : [{ cmd: analyzed.facts }];
}

function fileToolWrite(filePath: string): WriteFacts {
  const normalized = normalizePath(filePath);
  return { path: normalized.path, path_lower: normalized.lower, name_lower: normalized.name, resolved: true };
}

/** The string at `key` of the input, when it is one. */
function stringField(input: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = Object.hasOwn(input, key) ? input[key] : undefined;
  return typeof value === "string" ? wellFormed(value) : undefined;
}

/** Every file the call writes: its Bash writes, or the file tool's target. */
export function writeTargets(analysis: CallAnalysis): WriteFacts[] {
  return analysis.units.flatMap((u) => (u.write ? [u.write] : []));
}
