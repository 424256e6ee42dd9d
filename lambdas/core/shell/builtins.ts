// Shell builtins and text tools whose output or effect on the shell the analysis follows.
import { assign, literal, type ProgramHandler, pick } from "./command";
import { decodeAnsiC } from "./escapes";
import type { Arg, Stream } from "./expand";
import { readOptions } from "./options";
import { changeDirectory } from "./paths";

export const cat: ProgramHandler = (ctx, args) => {
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
export const echo: ProgramHandler = (_ctx, args) => {
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
export const printf: ProgramHandler = (ctx, args) => {
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
export const base64: ProgramHandler = (ctx, args) => {
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
export const cd: ProgramHandler = (ctx, args, program) => {
  const operands = args.filter((a) => !/^-[LPe@]+$/.test(a.value ?? ""));
  const target = operands[0];
  if (program === "popd") ctx.state.cwd = undefined;
  else if (!target) ctx.state.cwd = changeDirectory(ctx.state.cwd, "~");
  else ctx.state.cwd = target.value === undefined ? undefined : changeDirectory(ctx.state.cwd, target.value);
  return { operands };
};
export const read: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["a", "d", "i", "n", "N", "p", "t", "u"] });
  for (const name of pick(args, options.operands))
    if (name.value) assign(ctx.state, name.value, undefined, false);
  const array = options.values.get("a");
  if (array) assign(ctx.state, array, undefined, false);
  return { flags: [...options.flags] };
};
export const unset: ProgramHandler = (ctx, args) => {
  for (const name of args)
    if (name.value && !name.value.startsWith("-")) ctx.state.vars.set(name.value, { known: true, text: "" });
  return { operands: args };
};
export const downloader: ProgramHandler = (_ctx, args) => {
  const options = readOptions(args);
  return { flags: [...options.flags], operands: pick(args, options.operands), output: { kind: "download" } };
};
