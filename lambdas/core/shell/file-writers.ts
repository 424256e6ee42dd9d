// Programs that write, create or delete files: what they write, normalized by the command context.
import { judgeCommand, literal, type ProgramHandler, pick } from "./command";
import type { Arg } from "./expand";
import { readOptions } from "./options";
import { baseName } from "./paths";
import { RM_OPTIONS } from "./programs";

export const rm: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, RM_OPTIONS);
  const operands = pick(args, options.operands);
  for (const target of operands) ctx.write(target);
  return { flags: [...options.flags], operands };
};
/** Programs whose operands are all files they write, create or delete. */
export function writesOperands(
  spec: Parameters<typeof readOptions>[1] = {},
  skipFirst = false,
): ProgramHandler {
  return (ctx, args) => {
    const options = readOptions(args, spec);
    const operands = pick(args, options.operands);
    const skip = skipFirst && !options.flags.has("reference") ? 1 : 0;
    for (const target of operands.slice(skip)) ctx.write(target);
    return { flags: [...options.flags], operands };
  };
}
/** cp, mv, install, ln: the destination, and the files that land in it. */
export function copies(removesSources: boolean): ProgramHandler {
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
/** `file` inside `directory`. */
export function joined(directory: Arg, file: Arg): Arg {
  const name = file.value === undefined ? file.view : baseName(file.value);
  const dir = directory.value ?? directory.view;
  const view = `${dir.replace(/\/+$/, "")}/${name}`;
  return directory.value !== undefined && file.value !== undefined
    ? literal(view)
    : { ...literal(view), value: undefined };
}
/** `sed -i` edits its file operands in place (`-i`, `-i.bak`, `-Ei`, `--in-place`, BSD `-i ''`). */
export const sed: ProgramHandler = (ctx, args) => {
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
export const dd: ProgramHandler = (ctx, args) => {
  for (const arg of args) {
    if (arg.value?.startsWith("of=")) ctx.write(literal(arg.value.slice(3)));
    else if (arg.value === undefined && arg.view.startsWith("of="))
      ctx.write({ ...literal(arg.view.slice(3)), value: undefined });
  }
  return { operands: args };
};
export const tee: ProgramHandler = (ctx, args) => {
  const options = readOptions(args);
  const operands = pick(args, options.operands);
  for (const file of operands) {
    if (ctx.input.kind === "download") ctx.writeDownload(file);
    else ctx.write(file);
  }
  return { flags: [...options.flags], operands, output: ctx.input };
};
export const sort: ProgramHandler = (ctx, args) => {
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
export const tar: ProgramHandler = (ctx, args) => {
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
  if (flags.has("x") || flags.has("extract") || flags.has("get")) {
    const tree = literal(directory !== undefined ? `${directory}/*` : "*");
    // Extracting a download (`curl … | tar xz`, or an archive a downloader saved) extracts downloads.
    const archive = file === undefined || file === "-" ? ctx.input : ctx.readFile(literal(file));
    if (archive.kind === "download") ctx.writeDownload(tree);
    else ctx.write(tree);
  } else if (
    ["c", "create", "r", "append", "u", "update"].some((f) => flags.has(f)) &&
    file !== undefined &&
    file !== "-"
  )
    ctx.write(literal(file));
  return { flags: [...flags], operands: pick(normalized, options.operands) };
};
export const unzip: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["d", "x", "P", "I", "O"] });
  const directory = options.values.get("d");
  const tree = literal(directory !== undefined ? `${directory}/*` : "*");
  const archive = pick(args, options.operands)[0];
  if (archive && ctx.readFile(archive).kind === "download") ctx.writeDownload(tree);
  else ctx.write(tree);
  return { flags: [...options.flags], operands: pick(args, options.operands) };
};
export const editor: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["c", "S", "u", "U", "i", "T", "t", "q", "w", "W", "s", "r"] });
  const operands = pick(args, options.operands).filter((a) => !a.value?.startsWith("+"));
  for (const file of operands) ctx.write(file);
  return { flags: [...options.flags], operands };
};
export const sshKeygen: ProgramHandler = (ctx, args) => {
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
/** find: `-delete` removes what it finds under its start paths; `-exec` runs a command on each. */
export const find: ProgramHandler = (ctx, args) => {
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

/** rsync and scp: the local destination, and what lands in it (`host:path` destinations are not local). */
export const copiesTo: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: [
      "e",
      "rsh",
      "exclude",
      "include",
      "filter",
      "f",
      "B",
      "block-size",
      "T",
      "temp-dir",
      "compare-dest",
      "copy-dest",
      "link-dest",
      "partial-dir",
      "log-file",
      "password-file",
      "bwlimit",
      "timeout",
      "chmod",
      "chown",
      "out-format",
      "rsync-path",
      "max-size",
      "min-size",
      "exclude-from",
      "include-from",
      "files-from",
      "P",
      "i",
      "F",
      "o",
      "c",
      "l",
      "S",
      "J",
    ],
  });
  const operands = pick(args, options.operands);
  const destination = operands[operands.length - 1];
  if (operands.length >= 2 && destination && !/^[^/]*:/.test(destination.value ?? destination.view)) {
    ctx.write(destination);
    for (const source of operands.slice(0, -1)) ctx.write(joined(destination, source));
  }
  return { flags: [...options.flags], operands };
};

/** gawk `-i inplace` edits its file operands, after the program text. */
export const awk: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: ["f", "v", "F", "i", "l", "E", "include", "load", "file", "assign", "field-separator"],
  });
  const operands = pick(args, options.operands);
  const inPlace = options.values.get("i") === "inplace" || options.values.get("include") === "inplace";
  const scripted = options.flags.has("f") || options.flags.has("file") || options.flags.has("E");
  if (inPlace) for (const file of scripted ? operands : operands.slice(1)) ctx.write(file);
  return { flags: [...options.flags], operands };
};

/** patch writes the file it is given (or `-o out`); without one, the files are named in the patch. */
export const patch: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, {
    valued: [
      "o",
      "output",
      "i",
      "input",
      "d",
      "directory",
      "p",
      "strip",
      "r",
      "reject-file",
      "B",
      "prefix",
      "z",
      "suffix",
      "F",
      "fuzz",
      "D",
      "ifdef",
      "V",
      "version-control",
    ],
  });
  const operands = pick(args, options.operands);
  const out = options.values.get("output") ?? options.values.get("o");
  if (out !== undefined) ctx.write(literal(out));
  else if (operands[0]) ctx.write(operands[0]);
  return { flags: [...options.flags], operands };
};
