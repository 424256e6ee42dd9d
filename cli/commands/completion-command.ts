import { Argument, type Command } from "commander";
import type { CliIo } from "../cli-io";

/** The shells `gates completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** One word a shell can offer after a command path: a subcommand, an option or an argument's choice. */
interface Word {
  readonly word: string;
  readonly description: string;
  readonly kind: "command" | "option" | "choice";
}

/** Every command path of the program (`""`, `"policies"`, `"policies push"`) with the words it accepts. */
interface CompletionTree {
  readonly paths: ReadonlyMap<string, readonly Word[]>;
  /** Options that take a value, whose next word is never a subcommand. */
  readonly valued: readonly string[];
}

/** Reads the completion tree off the commander program, so a new command or option completes without edits here. */
export function completionTree(program: Command): CompletionTree {
  const paths = new Map<string, Word[]>();
  const valued = new Set<string>();
  const visit = (command: Command, path: string, inherited: readonly Word[]) => {
    const options: Word[] = [];
    for (const option of command.options) {
      if (!option.long || option.hidden) continue;
      options.push({ word: option.long, description: option.description, kind: "option" });
      if (option.required || option.optional) valued.add(option.long);
    }
    const children = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const words: Word[] = children.map((c) => ({
      word: c.name(),
      description: c.description(),
      kind: "command",
    }));
    for (const argument of command.registeredArguments)
      for (const choice of argument.argChoices ?? [])
        words.push({ word: choice, description: argument.description, kind: "choice" });
    // Global options (--url, --json, …) are accepted after any subcommand too.
    const visible = [...options, ...inherited];
    paths.set(path, [...words, ...visible, { word: "--help", description: "show help", kind: "option" }]);
    for (const child of children) visit(child, path ? `${path} ${child.name()}` : child.name(), visible);
  };
  visit(program, "", []);
  return { paths, valued: [...valued].sort() };
}

/** Single-quoted for a POSIX shell. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function bashScript(tree: CompletionTree): string {
  const cases = [...tree.paths]
    .map(([path, words]) => `    ${sq(path)}) echo ${sq(words.map((w) => w.word).join(" "))} ;;`)
    .join("\n");
  const commands = [...tree.paths]
    .map(([path, words]) => {
      const subs = words.filter((w) => w.kind === "command").map((w) => w.word);
      return `    ${sq(path)}) echo ${sq(subs.join(" "))} ;;`;
    })
    .join("\n");
  return `# gates completion for bash: add  source <(gates completion bash)  to ~/.bashrc
_gates_words() {
  case "$1" in
${cases}
  esac
}
_gates_commands() {
  case "$1" in
${commands}
  esac
}
_gates() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word skip=0 i
  local valued=${sq(` ${tree.valued.join(" ")} `)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$valued" in *" $word "*) skip=1; continue ;; esac
    case "$word" in -*) continue ;; esac
    case " $(_gates_commands "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  # After an option that takes a value, offer files rather than words.
  if ((skip)); then COMPREPLY=($(compgen -f -- "$cur")); return; fi
  COMPREPLY=($(compgen -W "$(_gates_words "$path")" -- "$cur"))
}
complete -F _gates gates
`;
}

function zshScript(tree: CompletionTree): string {
  const item = (w: Word) => sq(`${w.word.replace(/:/g, "\\:")}:${oneLine(w.description)}`);
  const cases = [...tree.paths]
    .map(([path, words]) => `    ${sq(path)}) items=(${words.map(item).join(" ")}) ;;`)
    .join("\n");
  const commands = [...tree.paths]
    .map(([path, words]) => {
      const subs = words.filter((w) => w.kind === "command").map((w) => sq(w.word));
      return `    ${sq(path)}) subs=(${subs.join(" ")}) ;;`;
    })
    .join("\n");
  return `#compdef gates
# gates completion for zsh: add  source <(gates completion zsh)  to ~/.zshrc (after compinit)
_gates() {
  local path_="" word i skip=0
  local -a items subs valued
  valued=(${tree.valued.map(sq).join(" ")})
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    if ((\${valued[(Ie)$word]})); then skip=1; continue; fi
    [[ "$word" == -* ]] && continue
    subs=()
    case "$path_" in
${commands}
    esac
    if ((\${subs[(Ie)$word]})); then path_="\${path_:+$path_ }$word"; fi
  done
  if ((skip)); then _files; return; fi
  case "$path_" in
${cases}
  esac
  _describe -t gates 'gates' items
}
compdef _gates gates
`;
}

function fishScript(tree: CompletionTree): string {
  const commandCases = [...tree.paths]
    .map(([path, words]) => {
      const subs = words.filter((w) => w.kind === "command").map((w) => w.word);
      return `        case ${sq(path)}\n            echo ${subs.map(sq).join(" ")}`;
    })
    .join("\n");
  const lines: string[] = [];
  for (const [path, words] of tree.paths) {
    const when = `test (__gates_path) = ${sq(path).replace(/'/g, '"')}`;
    for (const w of words) {
      const description = `-d ${sq(oneLine(w.description))}`;
      if (w.kind === "option") {
        const needsValue = tree.valued.includes(w.word) ? " -r" : "";
        lines.push(`complete -c gates -f -n ${sq(when)} -l ${w.word.slice(2)}${needsValue} ${description}`);
      } else lines.push(`complete -c gates -f -n ${sq(when)} -a ${sq(w.word)} ${description}`);
    }
  }
  return `# gates completion for fish: gates completion fish > ~/.config/fish/completions/gates.fish
function __gates_commands
    switch "$argv[1]"
${commandCases}
    end
end
function __gates_path
    set -l path ""
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if contains -- $word ${tree.valued.join(" ")}
            set skip 1
            continue
        end
        string match -q -- '-*' $word; and continue
        if contains -- $word (string split ' ' -- (__gates_commands "$path"))
            set path (string trim -- "$path $word")
        end
    end
    echo $path
end
complete -c gates -e
${lines.join("\n")}
`;
}

/** The completion script of `shell` for this program. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const tree = completionTree(program);
  switch (shell) {
    case "bash":
      return bashScript(tree);
    case "zsh":
      return zshScript(tree);
    case "fish":
      return fishScript(tree);
  }
}

/**
 * `completion bash|zsh|fish`: prints the shell's completion script. It needs no API, profile
 * or credentials, and shells run it at every start, so it skips the command context.
 */
export function registerCompletionCommand(program: Command, io: CliIo): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      io.stdout.write(completionScript(program, shell));
    });
}
