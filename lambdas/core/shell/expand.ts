import type { ParsedScript, Word, WordPart } from "./syntax";

/**
 * Word expansion as the shell does it, as far as it can be known before the command runs:
 * quote removal, known variables (with field splitting), `$HOME` as `~`, brace expansion, and
 * command substitutions whose output is known. Anything else leaves the word unknown, and a
 * view of it (with the unknown parts as written) is kept for rules and grants to read.
 */

/** What the shell knows about a variable. */
export type VariableValue =
  | { readonly known: true; readonly text: string }
  | { readonly known: false; readonly download: boolean };

/** What a command writes to its output, as far as it is known. */
export type Stream =
  | { readonly kind: "none" }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "download" }
  | { readonly kind: "file" }
  /** `view`: the text as written, when it is a heredoc or here-string whose expansions are unknown. */
  | { readonly kind: "unknown"; readonly view?: string };

/** One argument after expansion. */
export interface Arg {
  /** The argument; undefined when only known at run time. */
  readonly value: string | undefined;
  /** The argument as written, unknown parts included (e.g. `$DIR/.git/config`). */
  readonly view: string;
  /** Unknown and unquoted: it may split into several words, options among them. */
  readonly mayBeOptions: boolean;
  /** Some unknown part of it is the output of a download. */
  readonly download: boolean;
  /** The argument is a process substitution `<( … )`: what reading that file gives. */
  readonly process?: Stream;
}

/** How expansion reaches the rest of the analysis: variables, and running substitutions. */
export interface ExpansionScope {
  variable(name: string): VariableValue;
  /** Judges a substitution's commands and returns what it writes to its output. */
  substitute(script: ParsedScript, direction: "out" | "in" | "write"): Stream;
}

/** Brace expansion is not followed past this many words; the word is then unknown. */
const MAX_BRACE_WORDS = 64;

interface Field {
  text: string;
  known: boolean;
  view: string;
  unquotedUnknown: boolean;
  download: boolean;
  /** Unquoted literal text, where braces expand. */
  braces: boolean;
}

/** Expands one word into the arguments the shell would pass (several after splitting or braces). */
export function expandWord(word: Word, scope: ExpansionScope): Arg[] {
  const only = word.parts.length === 1 ? word.parts[0] : undefined;
  if (only?.kind === "process") {
    const stream = scope.substitute(only.script, only.direction === "in" ? "out" : "write");
    return [
      {
        value: undefined,
        view: only.source,
        mayBeOptions: false,
        download: stream.kind === "download",
        process: stream,
      },
    ];
  }
  const fields: Field[] = [emptyField()];
  let sawQuote = false;
  for (const part of word.parts) {
    if (part.kind === "text") {
      sawQuote ||= part.quoted;
      append(fields, part.text, part.text, true, !part.quoted && /[{]/.test(part.text));
      continue;
    }
    const quoted = "quoted" in part ? part.quoted : false;
    sawQuote ||= quoted;
    const value = partValue(part, scope);
    const splitter = value.known && !quoted ? fieldSplitter(scope) : undefined;
    if (value.known && !quoted && splitter === undefined) {
      // IFS is only known at run time, so the expansion may split anywhere.
      const field = fields[fields.length - 1] as Field;
      field.known = false;
      field.view += part.source;
      field.unquotedUnknown = true;
    } else if (value.known && !quoted) {
      const pieces = splitter === null ? [value.text] : value.text.split(splitter as RegExp);
      pieces.forEach((piece, i) => {
        if (i > 0) fields.push(emptyField());
        append(fields, piece, piece, true, false);
      });
    } else if (value.known) append(fields, value.text, value.text, true, false);
    else {
      const field = fields[fields.length - 1] as Field;
      field.known = false;
      field.view += part.kind === "dynamic" && part.source === "" ? "" : part.source;
      field.unquotedUnknown ||= !quoted;
      field.download ||= value.download;
    }
  }
  const out: Arg[] = [];
  for (const field of fields) {
    // An unquoted expansion that is empty vanishes, but a quoted empty string is an argument.
    if (field.known && field.text === "" && !sawQuote && fields.length > 0 && field.view === "") continue;
    if (!field.known) {
      out.push({
        value: undefined,
        view: field.view,
        mayBeOptions: field.unquotedUnknown,
        download: field.download,
      });
      continue;
    }
    const expanded = field.braces ? expandBraces(field.text) : [field.text];
    if (expanded === undefined) {
      out.push({ value: undefined, view: field.view, mayBeOptions: true, download: false });
      continue;
    }
    for (const text of expanded) out.push({ value: text, view: text, mayBeOptions: false, download: false });
  }
  return out;
}

/** Expands a word where the shell does not split or brace-expand it: assignment values, heredoc bodies. */
export function expandWhole(word: Word, scope: ExpansionScope): Arg {
  let text = "";
  let view = "";
  let known = true;
  let download = false;
  for (const part of word.parts) {
    if (part.kind === "text") {
      text += part.text;
      view += part.text;
      continue;
    }
    if (part.kind === "process") {
      scope.substitute(part.script, part.direction === "in" ? "out" : "write");
      known = false;
      view += part.source;
      continue;
    }
    const value = partValue(part, scope);
    if (value.known) {
      text += value.text;
      view += value.text;
    } else {
      known = false;
      view += part.source;
      download ||= value.download;
    }
  }
  return { value: known ? text : undefined, view, mayBeOptions: false, download };
}

function partValue(part: Exclude<WordPart, { kind: "text" }>, scope: ExpansionScope): VariableValue {
  switch (part.kind) {
    case "parameter":
      return parameterValue(part, scope);
    case "command": {
      const output = scope.substitute(part.script, "out");
      if (output.kind === "text") return { known: true, text: output.text.replace(/\n+$/, "") };
      return { known: false, download: output.kind === "download" };
    }
    case "process": {
      const stream = scope.substitute(part.script, part.direction === "in" ? "out" : "write");
      return { known: false, download: stream.kind === "download" };
    }
    case "dynamic":
      return { known: false, download: false };
  }
}

function parameterValue(
  part: Extract<WordPart, { kind: "parameter" }>,
  scope: ExpansionScope,
): VariableValue {
  // The operand is expanded whatever the variable holds, so substitutions inside it are judged.
  const operand = part.operand ? expandWhole(part.operand, scope) : undefined;
  const value = scope.variable(part.name);
  switch (part.operator) {
    case undefined:
      return value;
    case ":-":
    case "-":
    case ":=":
    case "=":
      if (value.known && (value.text !== "" || !part.operator.startsWith(":"))) return value;
      if (value.known && operand?.value !== undefined) return { known: true, text: operand.value };
      return { known: false, download: value.known ? (operand?.download ?? false) : value.download };
    case ":+":
    case "+":
      if (value.known && operand?.value !== undefined)
        return { known: true, text: value.text === "" && part.operator === ":+" ? "" : operand.value };
      return { known: false, download: false };
    case ":?":
    case "?":
      return value;
    default:
      return { known: false, download: value.known ? false : value.download };
  }
}

/**
 * How unquoted expansions split into fields under the current IFS: runs of its whitespace
 * delimit once, each other character of it delimits on its own. `null` when IFS is empty (no
 * splitting), undefined when IFS is only known at run time.
 */
function fieldSplitter(scope: ExpansionScope): RegExp | null | undefined {
  const ifs = scope.variable("IFS");
  if (!ifs.known) return undefined;
  if (ifs.text === "") return null;
  if (ifs.text === DEFAULT_IFS) return DEFAULT_SPLITTER;
  return splitterFor(ifs.text);
}

/** What IFS holds when nothing sets it; almost every command splits on it, so its pattern is built once. */
export const DEFAULT_IFS = " \t\n";
const DEFAULT_SPLITTER = /[ \t\n]+/;

function splitterFor(ifsText: string): RegExp {
  const chars = [...new Set(ifsText)];
  const inClass = (c: string) => c.replace(/[\\\]^-]/g, "\\$&");
  const white = chars
    .filter((c) => c === " " || c === "\t" || c === "\n")
    .map(inClass)
    .join("");
  const other = chars
    .filter((c) => c !== " " && c !== "\t" && c !== "\n")
    .map(inClass)
    .join("");
  const around = white === "" ? "" : `[${white}]*`;
  const alternatives = [
    other === "" ? "" : `${around}[${other}]${around}`,
    white === "" ? "" : `[${white}]+`,
  ];
  return new RegExp(alternatives.filter((a) => a !== "").join("|"));
}

function emptyField(): Field {
  return { text: "", known: true, view: "", unquotedUnknown: false, download: false, braces: false };
}

function append(fields: Field[], text: string, view: string, known: boolean, braces: boolean): void {
  const field = fields[fields.length - 1] as Field;
  field.text += text;
  field.view += view;
  field.known &&= known;
  field.braces ||= braces;
}

/**
 * Bash brace expansion: `{a,b}` alternatives and `{1..3}` / `{a..c}` sequences, nested, with a
 * prefix and suffix. Returns undefined past {@link MAX_BRACE_WORDS} words.
 */
export function expandBraces(text: string): string[] | undefined {
  const results: string[] = [];
  const stack: string[] = [text];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    const brace = findBrace(current);
    if (brace === "too many") return undefined;
    if (!brace) {
      results.push(current);
      if (results.length > MAX_BRACE_WORDS) return undefined;
      continue;
    }
    const prefix = current.slice(0, brace.start);
    const suffix = current.slice(brace.end + 1);
    const alternatives = brace.alternatives;
    for (let i = alternatives.length - 1; i >= 0; i--) stack.push(prefix + alternatives[i] + suffix);
    if (stack.length + results.length > MAX_BRACE_WORDS) return undefined;
  }
  return results;
}

/** The first brace group that expands, with its alternatives. */
function findBrace(
  text: string,
): { start: number; end: number; alternatives: string[] } | "too many" | undefined {
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === "{") depth += 1;
      else if (c === "}") {
        depth -= 1;
        if (depth === 0) {
          const body = text.slice(start + 1, i);
          if (commas.length > 0) {
            const alternatives: string[] = [];
            let from = start + 1;
            for (const comma of commas) {
              alternatives.push(text.slice(from, comma));
              from = comma + 1;
            }
            alternatives.push(text.slice(from, i));
            return { start, end: i, alternatives };
          }
          const sequence = braceSequence(body);
          if (sequence === "too many") return sequence;
          if (sequence) return { start, end: i, alternatives: sequence };
          break;
        }
      } else if (c === "," && depth === 1) commas.push(i);
    }
  }
  return undefined;
}

function braceSequence(body: string): string[] | "too many" | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (numeric) {
    const from = Number(numeric[1]);
    const to = Number(numeric[2]);
    const step = Math.abs(Number(numeric[3] ?? 1)) || 1;
    if (Math.abs(to - from) / step > MAX_BRACE_WORDS) return "too many";
    const out: string[] = [];
    for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? step : -step) out.push(String(n));
    return out;
  }
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
  if (letters) {
    const from = (letters[1] as string).charCodeAt(0);
    const to = (letters[2] as string).charCodeAt(0);
    const out: string[] = [];
    for (let c = from; from <= to ? c <= to : c >= to; c += from <= to ? 1 : -1)
      out.push(String.fromCharCode(c));
    return out;
  }
  return undefined;
}
