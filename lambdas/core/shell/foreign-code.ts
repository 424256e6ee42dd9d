/**
 * What code in another language (`python -c`, `perl -e`, `node -e`, `ruby -e`, …) does to the
 * machine that a rule cares about, read from its literal strings: the shell commands it runs,
 * the files it writes and the trees it deletes. A heuristic by design — code built at run time
 * is not followed — but it sees the common spellings, so wrapping a command in another language
 * does not hide it.
 */

/** A quoted literal in Python, JavaScript, Ruby or Perl: its text, unescaped. */
const STRING = String.raw`"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|` + "`(?:\\\\.|[^`\\\\])*`";

function literalText(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, "$1");
}

function stringsIn(text: string): string[] {
  return [...text.matchAll(new RegExp(STRING, "g"))].map((m) => literalText(m[0]));
}

const SHELL_OUT = new RegExp(
  // Perl and Ruby call without parentheses too: `system "ls"`.
  String.raw`\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|commands\.getoutput|system|exec|execSync|execFileSync|spawnSync|spawn|popen|shell_exec|passthru|proc_open|IO\.popen)(?:\s*\(\s*|\s+)(\[[^\]]*\]|${STRING})`,
  "g",
);
const BACKTICKS = /`([^`]*)`|\bqx\s*[({[]([^)}\]]*)[)}\]]|%x\s*[({[]([^)}\]]*)[)}\]]/g;

/** Shell commands the code runs: the strings (or argv lists) given to `system`, `subprocess`, `execSync`, backticks, `qx`. */
export function shellCommandsIn(code: string): string[] {
  const out: string[] = [];
  for (const match of code.matchAll(SHELL_OUT)) {
    const strings = stringsIn(match[1] as string);
    if (strings.length > 0) out.push(strings.join(" "));
  }
  for (const match of code.matchAll(BACKTICKS)) out.push(match[1] ?? match[2] ?? match[3] ?? "");
  return out;
}

const WRITES: readonly RegExp[] = [
  // Python open(path, "w"/"a"/"x"/"r+"), Ruby File.open(path, "w")
  new RegExp(String.raw`\b(?:open|File\.open)\s*\(\s*(${STRING})\s*,\s*(['"])[^'"]*[wax+][^'"]*\2`, "g"),
  // pathlib Path(path).write_text(…)
  new RegExp(
    String.raw`\bPath\s*\(\s*(${STRING})\s*\)\s*\.\s*(?:write_text|write_bytes|touch|unlink|rmdir)\b`,
    "g",
  ),
  // Node fs.writeFileSync(path, …) and friends; Ruby File.write(path, …)
  new RegExp(
    String.raw`\b(?:writeFileSync|appendFileSync|writeFile|appendFile|createWriteStream|unlinkSync|unlink|rmSync|rm|File\.write|File\.delete|os\.remove|os\.unlink|os\.rmdir)\s*\(\s*(${STRING})`,
    "g",
  ),
  // Perl open(my $f, ">", path) and open(F, ">path")
  new RegExp(
    String.raw`\bopen\s*\(?\s*(?:my\s+)?\$?\w+\s*,\s*['"]\s*(?:>>?|\+<)\s*['"]\s*,\s*(${STRING})`,
    "g",
  ),
  /\bopen\s*\(?\s*(?:my\s+)?\$?\w+\s*,\s*(['"]\s*>>?\s*[^'"]+['"])/g,
  // copies and moves: the destination
  new RegExp(
    String.raw`\b(?:shutil\.(?:copy|copyfile|copy2|move|copytree)|copyFileSync|copyFile|cpSync|renameSync|rename|os\.rename|os\.replace|FileUtils\.(?:cp|mv|copy))\s*\(\s*${"(?:" + STRING + ")"}\s*,\s*(${STRING})`,
    "g",
  ),
];

/** Files the code writes, creates or deletes, where the path is a literal. */
export function fileWritesIn(code: string): string[] {
  const out: string[] = [];
  for (const pattern of WRITES) {
    for (const match of code.matchAll(pattern)) {
      const quoted = match[1] as string;
      out.push(literalText(quoted).replace(/^\s*(?:>>?|\+<)\s*/, ""));
    }
  }
  return out;
}

const RECURSIVE_DELETES = new RegExp(
  String.raw`\b(?:shutil\.rmtree|rmtree|FileUtils\.rm_rf|FileUtils\.rm_r|FileUtils\.remove_dir|remove_tree|rmtree)\s*\(\s*(${STRING})|\b(?:rmSync|rmdirSync|rm|rmdir)\s*\(\s*(${STRING})\s*,\s*\{[^}]*recursive\s*:\s*true`,
  "g",
);

/** Directory trees the code deletes recursively (`shutil.rmtree`, `fs.rmSync(…, {recursive: true})`, `FileUtils.rm_rf`). */
export function recursiveDeletesIn(code: string): string[] {
  return [...code.matchAll(RECURSIVE_DELETES)].map((m) => literalText((m[1] ?? m[2]) as string));
}

const REMOTE_URL = /\b(?:https?|ftp):\/\//i;
// A bare name counts too: `.then(eval)` passes the download to eval.
const RUNS_CODE =
  /\b(?:exec|eval|execfile|Function|instance_eval|class_eval|module_eval|runInThisContext|runInNewContext|runInContext|Invoke-Expression|iex)\b|\b(?:include|require)(?:_once)?\s*\(?\s*['"](?:https?|ftp):/;

/**
 * The code fetches something from the network and runs code it builds at run time, as in
 * `exec(urlopen("https://…").read())` or `eval(file_get_contents("https://…"))`: what it
 * runs is the download, so it is judged as running a download.
 */
export function runsDownloadedCode(code: string): boolean {
  return REMOTE_URL.test(code) && RUNS_CODE.test(code);
}
