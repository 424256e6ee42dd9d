import { expandBraces } from "../../lambdas/core/shell/expand";
import { readOptions } from "../../lambdas/core/shell/options";
import { changeDirectory, isWildcardOnly, normalizePath } from "../../lambdas/core/shell/paths";
import { normalizeSql } from "../../lambdas/core/shell/sql";

describe("normalizePath", () => {
  it.each([
    ["./a/../b//c/", "b/c"],
    ["a\\b\\c", "a/b/c"],
    ["/", "/"],
    ["//", "/"],
    ["/usr/..", "/"],
    ["/..", "/"],
    ["~", "~"],
    ["~/", "~"],
    ["~alice/x", "~/x"],
    ["/home/alice/.ssh/id_rsa", "~/.ssh/id_rsa"],
    ["/Users/bob", "~"],
    ["/root/.aws/credentials", "~/.aws/credentials"],
    ["/*", "/*"],
    ["/*/*", "/*"],
    ["/.*", "/*"],
    ["/[!.]*", "/*"],
    ["~/*", "~/*"],
    ["~/*/node_modules", "~/*/node_modules"],
    ["../x", "../x"],
    ["../../../../../../..", "/"],
    [".", "."],
    ["C:\\", "/"],
    ["C:\\Windows\\System32", "/Windows/System32"],
    ["C:\\Users\\bob\\.ssh\\id_rsa", "~/.ssh/id_rsa"],
  ])("%s is %s", (raw, path) => {
    expect(normalizePath(raw).path).toBe(path);
  });

  it("resolves relative paths against the working directory", () => {
    expect(normalizePath("x", ".git").path).toBe(".git/x");
    expect(normalizePath("../x", "a/b").path).toBe("a/x");
    expect(normalizePath("/etc", "a").path).toBe("/etc");
  });

  it.each([
    [".GIT/Hooks", ".git/hooks"],
    [".git./config", ".git/config"],
    [".git /config", ".git/config"],
    ["GIT~1/config", ".git/config"],
    [".g\u200cit/config", ".git/config"],
    [".git::$INDEX_ALLOCATION/x", ".git/x"],
  ])("folds %j to %s the way case-insensitive file systems do", (raw, lower) => {
    expect(normalizePath(raw).lower).toBe(lower);
  });

  it("names the last segment, lower-case", () => {
    expect(normalizePath("config/.Env.Local").name).toBe(".env.local");
  });

  it.each([
    ["*", true],
    [".*", true],
    ["?*", true],
    ["[!.]*", true],
    ["*.log", false],
    ["a*", false],
    ["..", false],
  ])("%s is wildcard-only: %s", (segment, expected) => {
    expect(isWildcardOnly(segment)).toBe(expected);
  });
});

describe("changeDirectory", () => {
  it.each([
    ["", "sub", "sub"],
    ["sub", "..", ""],
    ["a", "/etc", "/etc"],
    ["a", undefined, undefined],
    [undefined, "a", undefined],
    ["a", "-", undefined],
    ["a", "~", "~"],
  ])("from %j, cd %j leads to %j", (cwd, target, expected) => {
    expect(changeDirectory(cwd, target)).toBe(expected);
  });
});

describe("readOptions", () => {
  const args = (...values: (string | undefined)[]) =>
    values.map((value) => ({ value, mayBeOptions: value === undefined }));

  it("splits bundled short flags, names a letter by its long name, and stops at --", () => {
    const read = readOptions(args("-rfv", "--", "-x"), { aliases: { r: "recursive" } });
    expect([...read.flags].sort()).toEqual(["f", "recursive", "v"]);
    expect(read.operands).toEqual([2]);
  });

  it("gives a valued letter the rest of its bundle or the next argument", () => {
    expect(readOptions(args("-n5", "x"), { valued: ["n"] }).values.get("n")).toBe("5");
    const read = readOptions(args("-n", "ns", "delete"), { valued: ["n"] });
    expect(read.values.get("n")).toBe("ns");
    expect(read.operands).toEqual([2]);
  });

  it("expands unique prefixes of long options and leaves ambiguous ones", () => {
    const long = ["force", "force-with-lease", "recursive"];
    expect([...readOptions(args("--rec"), { long }).flags]).toEqual(["recursive"]);
    expect([...readOptions(args("--force"), { long }).flags]).toEqual(["force"]);
    expect([...readOptions(args("--forc"), { long }).flags]).toEqual(["forc"]);
  });

  it("reads --no-x and --x=false as x switched off, the last one winning", () => {
    expect(readOptions(args("--dry-run", "--dry-run=false")).flags.has("dry-run")).toBe(false);
    expect(readOptions(args("--no-dry-run", "--dry-run")).flags.has("dry-run")).toBe(true);
  });

  it("stops at the first operand when asked, as wrappers do", () => {
    expect(readOptions(args("-u", "root", "rm", "-rf"), { valued: ["u"], stopAtOperand: true }).stop).toBe(2);
  });

  it("says when an unknown unquoted argument may have been options", () => {
    expect(readOptions(args("a", undefined)).unknownOptions).toBe(true);
    expect(readOptions(args("--", undefined)).unknownOptions).toBe(false);
  });
});

describe("expandBraces", () => {
  it.each([
    ["{rm,-rf,/}", ["rm", "-rf", "/"]],
    ["a{b,c}d", ["abd", "acd"]],
    ["{a,b}{1,2}", ["a1", "a2", "b1", "b2"]],
    ["{1..3}", ["1", "2", "3"]],
    ["{c..a}", ["c", "b", "a"]],
    ["{a,{b,c}}", ["a", "b", "c"]],
    ["/{,}", ["/", "/"]],
    ["{a}", ["{a}"]],
    ["x", ["x"]],
  ])("%s expands to %j", (text, expected) => {
    expect(expandBraces(text)).toEqual(expected);
  });

  it("gives up on expansions past its word limit", () => {
    expect(expandBraces("{1..100000}")).toBeUndefined();
    expect(expandBraces("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")).toBeUndefined();
  });
});

describe("normalizeSql", () => {
  it.each([
    ["DROP/**/TABLE x", "drop table x"],
    ["DROP -- c\nTABLE x", "drop table x"],
    ["drop\t\n  database y", "drop database y"],
    ["/*!50000 DROP TABLE x */", "drop table x */"],
  ])("%j reads %j", (sql, expected) => {
    expect(normalizeSql(sql)).toBe(expected);
  });
});
