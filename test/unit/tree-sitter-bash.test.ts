import type { ScriptNode, ShellParser, Word } from "../../lambdas/core/shell/syntax";
import { bashParser } from "../support/shell-parser";

let parser: ShellParser;
beforeAll(async () => {
  parser = await bashParser();
});

/** The literal text of a word, or undefined when any part is not plain text. */
function text(word: Word | undefined): string | undefined {
  if (!word) return undefined;
  let out = "";
  for (const part of word.parts) {
    if (part.kind !== "text") return undefined;
    out += part.text;
  }
  return out;
}

function commands(node: ScriptNode): { words: (string | undefined)[]; redirects: string[] }[] {
  switch (node.kind) {
    case "command":
      return [
        {
          words: node.words.map(text),
          redirects: node.redirects.map((r) =>
            r.kind === "file" ? `${r.operator}${text(r.target)}` : r.kind,
          ),
        },
      ];
    case "pipeline":
      return node.stages.flatMap(commands);
    case "sequence":
      return node.items.flatMap(commands);
    case "subshell":
    case "function":
    case "for":
      return commands(node.body);
    case "redirected":
      return commands(node.body);
  }
}

describe("the tree-sitter Bash parser", () => {
  it.each([
    ["r''m", "rm"],
    ["r\\m", "rm"],
    ['"a b"', "a b"],
    ["'a\\b'", "a\\b"],
    ['"a\\"b\\$c"', 'a"b$c'],
    ["$'a\\tb\\x41\\101'", "a\tbAA"],
    ["a\\ b", "a b"],
  ])("removes the quoting of %s", (source, expected) => {
    const parsed = parser.parse(`echo ${source}`);
    expect(parsed.problem).toBeUndefined();
    expect(commands(parsed.body)[0]?.words[1]).toBe(expected);
  });

  it("gives a redirection on a list or pipeline to its last command, as bash does", () => {
    expect(commands(parser.parse("a && b > out").body)).toEqual([
      { words: ["a"], redirects: [] },
      { words: ["b"], redirects: [">out"] },
    ]);
    expect(commands(parser.parse("a | b 2>>log").body).at(-1)?.redirects).toEqual([">>log"]);
  });

  it("keeps a group's redirection on the group", () => {
    const parsed = parser.parse("{ a; b; } > out");
    expect(parsed.body.kind).toBe("redirected");
  });

  it("keeps the pipeline after a heredoc's start line", () => {
    const parsed = parser.parse("cat <<'X' | psql\nDROP TABLE t;\nX");
    expect(parsed.body).toMatchObject({
      kind: "pipeline",
      stages: [{ kind: "command" }, { kind: "command" }],
    });
    const [cat] = commands(parsed.body);
    expect(cat?.redirects).toEqual(["heredoc"]);
  });

  it("reads a quoted heredoc as plain text and strips tabs for <<-", () => {
    const parsed = parser.parse("cat <<-'X'\n\t$HOME\n\tX");
    const body = parsed.body.kind === "command" ? parsed.body.redirects[0] : undefined;
    expect(body?.kind === "heredoc" ? text(body.body) : undefined).toBe("$HOME\n");
  });

  it("rebuilds words that error recovery split, such as a brace expansion at the start", () => {
    const parsed = parser.parse("{rm,-rf,/}");
    expect(parsed.problem).toBeDefined();
    expect(commands(parsed.body)[0]?.words).toEqual(["{rm,-rf,/}"]);
  });

  it.each(["echo 'x", "(ls", "echo $(ls", "ls |", "if true; then ls", "a <> "])(
    "reports %j as not read completely",
    (source) => {
      expect(parser.parse(source).problem).toBeDefined();
    },
  );

  it("reports nesting past its limit instead of overflowing the stack", () => {
    const deep = `${"( ".repeat(5000)}ls${" )".repeat(5000)}`;
    expect(parser.parse(deep).problem).toMatch(/nested more than/);
  });

  it("parses a 64 KiB command", () => {
    const long = Array.from({ length: 4000 }, (_, i) => `echo ${i}`).join("; ");
    const parsed = parser.parse(long.slice(0, 64 * 1024));
    expect(commands(parsed.body).length).toBeGreaterThan(1000);
  });
});
