/**
 * Reading a program's options the way getopt-style parsers do: bundled short flags (`-rfv`),
 * long options with `=` or a separate value, `--` ending options, unique prefixes of long
 * options, and boolean negations (`--no-x`, `--x=false`).
 */

/** How one program reads its options. */
export interface OptionSpec {
  /** Options that take a value: short letters (`"n"`) and long names (`"namespace"`). */
  readonly valued?: readonly string[];
  /** Long options the program accepts by unique prefix (GNU getopt_long, git), e.g. `--recu` for `--recursive`. */
  readonly long?: readonly string[];
  /** Canonical names of short flags, so rules read `recursive` whether `-r`, `-R` or `--recursive` was written. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Options are single-dash words (`-chdir=dir`, `-auto-approve`), never bundles of letters. */
  readonly singleDash?: boolean;
  /** Options end at the first operand, as for a wrapper whose operand is the command it runs. */
  readonly stopAtOperand?: boolean;
}

/** One argument as options reading sees it. */
export interface OptionArg {
  /** The argument's value; undefined when it is only known at run time. */
  readonly value: string | undefined;
  /** An unknown unquoted argument may expand to several words, options among them. */
  readonly mayBeOptions: boolean;
}

export interface ReadOptions {
  /** Option names in force after negations: canonical (`force`) where the program has a long name for a letter, else as written. */
  readonly flags: ReadonlySet<string>;
  /** The value of each valued option, last one wins. */
  readonly values: ReadonlyMap<string, string | undefined>;
  /** Indexes of the operands, in order. */
  readonly operands: readonly number[];
  /** With `stopAtOperand`, the index of the first operand (the rest is not read); else the length. */
  readonly stop: number;
  /** Some argument before `--` was unknown and may have been options. */
  readonly unknownOptions: boolean;
}

const FALSE_VALUES = new Set(["false", "0", "no", "off"]);

/** The valued options of each spec, as a set, built once per spec. */
const VALUED = new WeakMap<OptionSpec, ReadonlySet<string>>();
const NONE: OptionSpec = {};

/** Reads the options of `args` with a program's spec. */
export function readOptions(args: readonly OptionArg[], spec: OptionSpec = NONE): ReadOptions {
  let valued = VALUED.get(spec);
  if (!valued) {
    valued = new Set(spec.valued ?? []);
    VALUED.set(spec, valued);
  }
  const flags = new Set<string>();
  const values = new Map<string, string | undefined>();
  const operands: number[] = [];
  let unknownOptions = false;
  let endOfOptions = false;

  const set = (name: string, value: string | true, negated = false) => {
    // A letter with a long name is known by that name only: `-rf` reads `recursive`, `force`.
    const canonical = spec.aliases?.[name] ?? name;
    if (negated) flags.delete(canonical);
    else flags.add(canonical);
    if (value !== true) {
      values.set(canonical, value);
      values.set(name, value);
    }
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as OptionArg;
    const text = arg.value;
    if (text === undefined) {
      if (!endOfOptions && arg.mayBeOptions) unknownOptions = true;
      operands.push(i);
      if (spec.stopAtOperand) return { flags, values, operands, stop: i, unknownOptions };
      continue;
    }
    if (endOfOptions || text === "-" || !text.startsWith("-")) {
      operands.push(i);
      if (spec.stopAtOperand) return { flags, values, operands, stop: i, unknownOptions };
      continue;
    }
    if (text === "--") {
      endOfOptions = true;
      continue;
    }
    if (text.startsWith("--") || spec.singleDash) {
      const body = text.replace(/^--?/, "");
      const eq = body.indexOf("=");
      const written = eq === -1 ? body : body.slice(0, eq);
      const name = expandLong(written, spec.long);
      if (eq !== -1) {
        const value = body.slice(eq + 1);
        set(name, value, FALSE_VALUES.has(value.toLowerCase()) && !valued.has(name));
      } else if (valued.has(name)) {
        const next = args[i + 1];
        set(name, next?.value ?? "");
        if (next?.value === undefined && next) unknownOptions ||= next.mayBeOptions;
        i += 1;
      } else if (name.startsWith("no-")) {
        set(name, true);
        set(name.slice(3), true, true);
      } else set(name, true);
      continue;
    }
    // A bundle of short flags; a valued letter takes the rest of the bundle, or the next argument.
    for (let j = 1; j < text.length; j++) {
      const letter = text[j] as string;
      if (valued.has(letter)) {
        const rest = text.slice(j + 1);
        if (rest !== "") set(letter, rest);
        else {
          set(letter, args[i + 1]?.value ?? "");
          i += 1;
        }
        break;
      }
      set(letter, true);
    }
  }
  return { flags, values, operands, stop: args.length, unknownOptions };
}

/** The long option a unique prefix stands for; the prefix itself when none or several match. */
function expandLong(written: string, long: readonly string[] | undefined): string {
  if (!long || long.includes(written)) return written;
  const matches = long.filter((name) => name.startsWith(written));
  return matches.length === 1 ? (matches[0] as string) : written;
}
