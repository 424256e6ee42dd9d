// Programs that download: the files they save a download to, and whether they write it out instead.
import { literal, type ProgramHandler, pick } from "./command";
import type { Arg } from "./expand";
import { joined } from "./file-writers";
import { readOptions } from "./options";
import { baseName } from "./paths";

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
export const curl: ProgramHandler = (ctx, args) => {
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
export const wget: ProgramHandler = (ctx, args) => {
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
/** aria2c: saves to the URL's file name, `-o file` or under `-d dir`; it never writes the download out. */
export const aria2c: ProgramHandler = (ctx, args) => {
  const options = readOptions(args, { valued: ["o", "out", "d", "dir", "i", "input-file", "l", "log"] });
  const operands = pick(args, options.operands);
  const file = options.values.get("out") ?? options.values.get("o");
  const directory = options.values.get("dir") ?? options.values.get("d");
  const log = options.values.get("log") ?? options.values.get("l");
  if (log !== undefined && log !== "-") ctx.write(literal(log));
  const names =
    file !== undefined
      ? [literal(file)]
      : operands.map((url) =>
          url.value === undefined ? url : literal(urlFileName(url.value) || "index.html"),
        );
  for (const name of names)
    ctx.writeDownload(directory !== undefined ? joined(literal(directory), name) : name);
  return { flags: [...options.flags], operands, output: { kind: "text", text: "" } };
};
function urlFileName(url: string): string {
  const path = url.replace(/[?#].*$/, "").replace(/^[a-z]+:\/\/[^/]*/i, "");
  return baseName(path);
}
