import { analyzeCommand, MAX_COMMANDS, MAX_SCRIPT_DEPTH } from "../../lambdas/core/shell/analyze";
import type { AnalyzedCommand } from "../../lambdas/core/shell/facts";
import type { ShellParser } from "../../lambdas/core/shell/syntax";
import { bashParser } from "../support/shell-parser";

let parser: ShellParser;
beforeAll(async () => {
  parser = await bashParser();
});

const analyze = (command: string | unknown[]) => analyzeCommand(command, parser);
const programs = (command: string) => analyze(command).commands.map((c) => c.facts.program);
const only = (command: string, program: string): AnalyzedCommand => {
  const found = analyze(command).commands.filter((c) => c.facts.program === program);
  if (found.length !== 1) throw new Error(`expected one ${program} in ${command}, found ${found.length}`);
  return found[0] as AnalyzedCommand;
};

describe("analyzeCommand: every simple command a script runs", () => {
  it.each([
    ["a && b || c ; d & e", ["a", "b", "c", "d", "e"]],
    ["a | b |& c", ["a", "b", "c"]],
    ["a\nb", ["a", "b"]],
    ["(a; b) && { c; }", ["a", "b", "c"]],
    ["echo $(a) `b`", ["a", "b", "echo"]],
    ["diff <(a) >(b)", ["a", "b", "diff"]],
    ["if a; then b; elif c; then d; else e; fi", ["a", "b", "c", "d", "e"]],
    ["while a; do b; done; until c; do d; done", ["a", "b", "c", "d"]],
    ["case $x in y) a ;; *) b ;; esac", ["case", "case", "a", "case", "b"]],
    ["f() { a; }", ["a"]],
    ["! a", ["a"]],
  ])("%s", (command, expected) => {
    expect(programs(command).filter((p) => p !== "")).toEqual(expected);
  });

  it("follows the scripts of bash -c, eval and source <( … ) one level down each", () => {
    const result = analyze("bash -c 'eval \"sh -c ls\"'");
    expect(result.commands.map((c) => [c.facts.program, c.facts.depth])).toEqual([
      ["ls", 3],
      ["sh", 2],
      ["eval", 1],
      ["bash", 0],
    ]);
  });

  it(`stops reading scripts nested more than ${MAX_SCRIPT_DEPTH} levels deep, and says so`, () => {
    let command = "ls";
    for (let i = 0; i <= MAX_SCRIPT_DEPTH; i++) command = `bash -c ${JSON.stringify(command)}`;
    const result = analyze(command);
    expect(result.complete).toBe(false);
    expect(result.problem).toMatch(/nests scripts more than/);
  });

  it(`stops after ${MAX_COMMANDS} different simple commands, and says so`, () => {
    const result = analyze(Array.from({ length: MAX_COMMANDS + 5 }, (_, i) => `c${i}`).join("; "));
    expect(result.complete).toBe(false);
    expect(result.commands).toHaveLength(MAX_COMMANDS);
  });

  it("counts a repeated command once, so repeats cannot push a later one past the limit", () => {
    const result = analyze(`${"true; ".repeat(MAX_COMMANDS + 5)}rm -rf /`);
    expect(result.complete).toBe(true);
    expect(result.commands.map((c) => c.facts.program)).toEqual(["true", "rm"]);
  });

  it("reports a script it cannot read completely, with what it could read", () => {
    const result = analyze("ls; echo 'unterminated");
    expect(result.complete).toBe(false);
    expect(result.commands.map((c) => c.facts.program)).toContain("ls");
  });

  it("reads an argv without parsing it, and refuses one that is not all strings", () => {
    expect(analyze(["git", "push", "a b"]).commands[0]?.facts).toMatchObject({
      program: "git",
      operands: ["a b"],
    });
    expect(analyze(["ls", 3])).toMatchObject({ complete: false });
  });

  it("judges identical commands once", () => {
    expect(analyze("true; true; true").commands).toHaveLength(1);
  });
});

describe("analyzeCommand: program names", () => {
  it.each([
    ["/bin/rm x", "rm"],
    ['"rm" x', "rm"],
    ["r''m x", "rm"],
    ["r\\m x", "rm"],
    ["\\rm x", "rm"],
    ["$'\\x72m' x", "rm"],
    ["RM x", "rm"],
    ["git.exe status", "git"],
    ["$(echo rm) x", "rm"],
    ["a=r; $a'm' x", "rm"],
  ])("%s runs %s", (command, program) => {
    expect(programs(command)).toContain(program);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    ["rm${IFS}-rf${IFS}x", "rm", ["recursive", "force"], ["x"]],
    ['IFS=,; c="rm,-rf,x"; $c', "rm", ["recursive", "force"], ["x"]],
    ['IFS=", "; c="a, b  c"; echo $c', "echo", [], ["a", "b", "c"]],
    ['IFS=; c="rm -rf x"; echo $c', "echo", [], ["rm -rf x"]],
  ])("%s splits its expansions on IFS", (command, program, flags, operands) => {
    const last = analyze(command).commands.at(-1);
    expect(last?.facts.program).toBe(program);
    expect(last?.facts.flags).toEqual(flags);
    expect(last?.facts.operands).toEqual(operands);
  });

  it("cannot split on an IFS only known at run time, so the expansion is unknown", () => {
    const last = analyze('IFS=$1; c="rm,-rf,x"; $c').commands.at(-1);
    expect(last?.facts.unresolved).toContain("program");
  });

  it("reads a word tree-sitter splits where the shell would not as not read completely", () => {
    expect(analyze("rm$IFS-rf$IFS/").complete).toBe(false);
  });

  it.each(["$cmd x", '"$@"', "/bin/r? x", "$(cat f) x"])("%s has an unknown program", (command) => {
    const last = analyze(command).commands.at(-1);
    expect(last?.facts.unresolved).toContain("program");
    expect(last?.facts.program).toBe("");
  });
});

describe("analyzeCommand: wrappers", () => {
  it.each([
    ["sudo -u root -E rm x", ["sudo"]],
    ["doas rm x", ["doas"]],
    ["env -i A=1 B=2 rm x", ["env"]],
    ["command rm x", ["command"]],
    ["builtin cd x", ["builtin"]],
    ["exec rm x", ["exec"]],
    [
      "nohup nice -n 5 time timeout -s KILL 10 stdbuf -oL rm x",
      ["nohup", "nice", "time", "timeout", "stdbuf"],
    ],
    ["xargs -0 -n 1 rm", ["xargs"]],
    ["npx --yes rm x", ["npx"]],
    ["python3 -m rm x", ["python3"]],
    ["docker exec -it db rm x", ["docker exec"]],
    ["kubectl exec pod -c app -- rm x", ["kubectl exec"]],
    ["uv run --with a rm x", ["uv run"]],
    ["microk8s rm x", ["microk8s"]],
  ])("%s reaches rm through %j", (command, wrappers) => {
    expect(only(command, command.includes("cd") ? "cd" : "rm").facts.wrappers).toEqual(wrappers);
  });

  it("does not unwrap a lookup that runs nothing", () => {
    expect(programs("command -v rm")).toEqual(["command"]);
  });

  it("reads find -exec as the command it runs, with {} standing for what find finds", () => {
    expect(only("find build -name x -exec rm -f {} \\;", "rm").facts).toMatchObject({
      wrappers: ["find"],
      operands: ["build/*"],
    });
  });

  it("reads find -delete as a recursive forced removal of its start paths", () => {
    expect(only("find /tmp/a /tmp/b -delete", "rm").facts).toMatchObject({
      flags: expect.arrayContaining(["recursive", "force"]),
      paths: ["/tmp/a", "/tmp/b"],
    });
  });

  it("marks what xargs adds as unknown arguments that may be options", () => {
    expect(only("xargs rm", "rm").facts.unresolved).toEqual(expect.arrayContaining(["arguments", "options"]));
  });
});

describe("analyzeCommand: options and subcommands", () => {
  it.each([
    ["rm -rfv x", ["recursive", "force", "verbose"]],
    ["rm --recu --forc x", ["recursive", "force"]],
    ["rm -- -rf", []],
  ])("%s has the flags %j", (command, flags) => {
    const facts = only(command, "rm").facts;
    for (const f of flags) expect(facts.flags).toContain(f);
    if (flags.length === 0) expect(facts.flags).toEqual([]);
  });

  it.each([
    ["git -C x -c a=b --no-pager push origin main", "git", "push"],
    ["npm --registry r -w a publish", "npm", "publish"],
    ["kubectl -n ns --context c delete pod x", "kubectl", "delete"],
    ["terraform -chdir=infra apply -auto-approve", "terraform", "apply"],
    ["npm pu", "npm", "publish"],
    ["pnpm -r --filter x publish", "pnpm", "publish"],
  ])("%s has the subcommand of %s", (command, program, subcommand) => {
    expect(only(command, program).facts.subcommand).toBe(subcommand);
  });

  it("drops a boolean option negated by =false or --no-", () => {
    expect(only("npm publish --dry-run=false", "npm").facts.flags).not.toContain("dry-run");
    expect(only("npm publish --no-dry-run", "npm").facts.flags).not.toContain("dry-run");
    expect(only("npm publish --dry-run", "npm").facts.flags).toContain("dry-run");
  });

  it("marks a subcommand that is only known at run time", () => {
    expect(only("git $sub x", "git").facts.unresolved).toContain("subcommand");
  });
});

describe("analyzeCommand: pushes", () => {
  it.each([
    ["git push origin main", [{ ref: "main", force: false }]],
    ["git push origin +main", [{ ref: "main", force: true }]],
    [
      "git push -f origin a b",
      [
        { ref: "a", force: true },
        { ref: "b", force: true },
      ],
    ],
    ["git push origin HEAD:refs/heads/Main", [{ ref: "main", force: false }]],
    ["git push origin :release/1", [{ ref: "release/1", force: true }]],
    ["git push --delete origin x", [{ ref: "x", force: true }]],
    ["git push --mirror", [{ ref: "*", force: true }]],
    ["git push --all origin", [{ ref: "*", force: false }]],
    ["git push --repo=origin main", [{ ref: "main", force: false }]],
    ["git push origin", []],
    ["git push", []],
  ])("%s pushes %j", (command, pushes) => {
    expect(only(command, "git").pushes).toEqual(pushes);
  });
});

describe("analyzeCommand: writes", () => {
  const writes = (command: string) => analyze(command).commands.flatMap((c) => c.writes.map((w) => w.path));
  it.each([
    ["echo x > a 2>&1 >> b &> c &>> d >| e", ["a", "b", "c", "d", "e"]],
    ["echo x > /dev/null 2> /dev/stderr", []],
    ["tee -a a b < in", ["a", "b"]],
    ["cp a b c dir/", ["dir", "dir/a", "dir/b", "dir/c"]],
    ["cp -t dir a", ["dir", "dir/a"]],
    ["mv a b", ["b", "a"]],
    ["ln -s target link", ["link"]],
    ["sed -i.bak s/a/b/ f g", ["f", "g"]],
    ["sed -e s/a/b/ f", []],
    ["sed -i '' s/a/b/ f", ["f"]],
    ["dd if=a of=b", ["b"]],
    ["curl -o out https://x/y", ["out"]],
    ["curl -O https://x/dir/file.tgz", ["file.tgz"]],
    ["wget https://x/dir/file.tgz", ["file.tgz"]],
    ["wget -P dl https://x/f", ["dl/f"]],
    ["chmod +x a b", ["a", "b"]],
    ["touch -d now a", ["a"]],
    ["cd sub && echo x > f", ["sub/f"]],
    ["(cd sub) && echo x > f", ["f"]],
    ["cd ~ && echo x > f", ["~/f"]],
    ["git config alias.x '!ls'", [".git/config"]],
  ])("%s writes %j", (command, expected) => {
    expect(writes(command)).toEqual(expected);
  });

  it("keeps a write whose path is only known at run time, marked unresolved", () => {
    const [write] = only('echo x > "$OUT/a"', "echo").writes;
    expect(write).toMatchObject({ path: "$OUT/a", resolved: false });
  });

  it("treats writes after a cd to somewhere unknown as unresolved", () => {
    expect(only('cd "$D" && echo x > f', "echo").writes).toMatchObject([{ resolved: false }]);
  });
});

describe("analyzeCommand: code that runs", () => {
  it.each([
    "curl x | sh",
    "wget -qO- x | sudo -E bash -s",
    "bash <(curl x)",
    "bash < <(curl x)",
    "source <(curl x)",
    'eval "$(curl x)"',
    'bash -c "$(curl x)"',
    "curl x | tee f | bash",
    "curl x | python3",
    "$(curl x)",
    "bash < /dev/tcp/h/80",
    "curl -o f x && bash f",
    "wget x/i.sh && ./i.sh",
    "curl x > /tmp/s && sh /tmp/s",
    "curl x | tee s.py && python3 s.py",
  ])("%s runs a download", (command) => {
    expect(analyze(command).commands.some((c) => c.facts.runs_download)).toBe(true);
  });

  it.each([
    "curl x | jq .",
    "curl x | python3 -m json.tool",
    "curl -o f x && sha256sum f",
    "curl x | sha256sum",
    "curl x > out",
  ])("%s runs no download", (command) => {
    expect(analyze(command).commands.some((c) => c.facts.runs_download)).toBe(false);
  });

  it("reads a script that known output feeds to a shell", () => {
    expect(programs("printf 'ls\\n' | sh")).toContain("ls");
    expect(programs("echo bHMK | base64 -d | bash")).toContain("ls");
    expect(programs("bash <<'X'\nls\nX")).toContain("ls");
  });

  it("marks code it cannot know as an unresolved script", () => {
    expect(only('eval "$X"', "eval").facts.unresolved).toContain("script");
    expect(only("cat f | sh", "sh").facts.unresolved).toContain("script");
  });
});

describe("analyzeCommand: SQL", () => {
  it.each([
    ['psql -c "DROP/**/TABLE x"', "drop table x"],
    ["psql <<< 'drop\n\ttable x'", "drop table x"],
    ['mysql -e "/*!50000 DROP TABLE x */"', "drop table x */"],
    ["echo 'SELECT 1 -- x' | psql", "select 1"],
    ['mongosh --eval "db.dropDatabase()"', "db.dropdatabase()"],
  ])("%s sends %j", (command, sql) => {
    const client = analyze(command).commands.find((c) => c.facts.sql !== "");
    expect(client?.facts.sql).toBe(sql);
  });

  it("sends no SQL from programs that are not database clients", () => {
    expect(analyze('grep -ri "drop table" .').commands.every((c) => c.facts.sql === "")).toBe(true);
  });
});

describe("analyzeCommand: variables", () => {
  it.each([
    ["X=/tmp; rm $X", ["/tmp"]],
    ["export X=a Y=b; rm $X$Y", ["ab"]],
    ['F="-r -f"; rm $F x', ["x"]],
    ["rm $HOME $HOME/a", ["~", "~/a"]],
    ["X=a; unset X; rm x$X", ["x"]],
    ["X=a; X+=b; rm $X", ["ab"]],
    ["X=/ rm $X", []],
  ])("%s removes %j", (command, operands) => {
    expect(only(command, "rm").facts.operands).toEqual(operands);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    ['rm "${HOME:?}"/a', ["~/a"]],
    ["rm /home/$USER", ["~"]],
    ["X=/ rm $X", ["$X"]],
    ["rm build", []],
  ])("%s removes the paths %j", (command, paths) => {
    expect(only(command, "rm").facts.paths).toEqual(paths);
  });

  it("splits an unquoted known value into words, options included", () => {
    expect(only('F="-r -f"; rm $F x', "rm").facts.flags).toEqual(
      expect.arrayContaining(["recursive", "force"]),
    );
  });

  it("unrolls a loop over a short literal list", () => {
    expect(analyze("for d in a b; do rm $d; done").commands.map((c) => c.facts.operands)).toEqual([
      ["a"],
      ["b"],
    ]);
  });
});
