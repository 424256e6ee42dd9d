/**
 * A shell script as the command analysis sees it: a small syntax tree that any real shell
 * parser can be translated into, so the analysis never depends on one parser's node types.
 * Everything the shell would run is a {@link CommandNode} somewhere in it.
 */

/** A parsed script, or the reason it could not be read completely. */
export interface ParsedScript {
  readonly body: ScriptNode;
  /** Set when part of the text is not valid shell; what was read is still in `body`. */
  readonly problem?: string;
}

/** The port the analysis parses with. Implementations never throw for bad input: they report a problem. */
export interface ShellParser {
  parse(source: string): ParsedScript;
}

export type ScriptNode =
  | CommandNode
  | PipelineNode
  | SequenceNode
  | SubshellNode
  | RedirectedNode
  | ForNode
  | FunctionNode;

/** One simple command: assignments, words and redirections, e.g. `FOO=1 git push origin main >log`. */
export interface CommandNode {
  readonly kind: "command";
  readonly assignments: readonly Assignment[];
  /** The program and its arguments, unexpanded; empty for a command of only assignments or redirections. */
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
  /** The command's source text. */
  readonly source: string;
  /** `export A=1`, `declare -x B=2`: the assignments are also among the words, and they outlive the command. */
  readonly declaration?: true;
}

/** `a | b | c`: each stage's output is the next stage's input. */
export interface PipelineNode {
  readonly kind: "pipeline";
  readonly stages: readonly ScriptNode[];
}

/**
 * Statements run one after another: `;`, `&&`, `||`, `&`, newlines, and the bodies of `if`,
 * `while`, `case` and `{ …; }`. Every item is treated as run, whatever the conditions say.
 */
export interface SequenceNode {
  readonly kind: "sequence";
  readonly items: readonly ScriptNode[];
}

/** `( … )`: runs in a child shell, so directory and variable changes do not leak out. */
export interface SubshellNode {
  readonly kind: "subshell";
  readonly body: ScriptNode;
}

/** A statement with redirections of its own, e.g. `{ a; b; } > out` or `while …; done < list`. */
export interface RedirectedNode {
  readonly kind: "redirected";
  readonly body: ScriptNode;
  readonly redirects: readonly Redirect[];
}

/** `for name in values; do body; done`; `values` absent means the positional parameters. */
export interface ForNode {
  readonly kind: "for";
  readonly variable: string;
  readonly values?: readonly Word[];
  readonly body: ScriptNode;
}

/** `name() { body; }`: the body is judged as if it ran, since a later line may call it. */
export interface FunctionNode {
  readonly kind: "function";
  readonly name: string;
  readonly body: ScriptNode;
}

export interface Assignment {
  readonly name: string;
  /** Absent for `declare X` without a value. */
  readonly value?: Word;
  /** `X+=…` appends. */
  readonly append: boolean;
}

/** One shell word before expansion: literal text, parameters and substitutions, with their quoting. */
export interface Word {
  readonly parts: readonly WordPart[];
  readonly source: string;
}

export type WordPart =
  | {
      readonly kind: "text";
      /** The text after quote removal and backslash unescaping. */
      readonly text: string;
      /** Quoted text is not subject to globbing, brace expansion or field splitting. */
      readonly quoted: boolean;
    }
  | {
      readonly kind: "parameter";
      /** The variable name, or a special parameter such as `1`, `@`, `#`, `?`. */
      readonly name: string;
      /** `${X:-default}` and friends: the operator as written, e.g. `:-`, `#`, `//`. */
      readonly operator?: string;
      readonly operand?: Word;
      readonly quoted: boolean;
      readonly source: string;
    }
  | {
      readonly kind: "command";
      /** `$( … )` or backticks. */
      readonly script: ParsedScript;
      readonly quoted: boolean;
      readonly source: string;
    }
  | {
      readonly kind: "process";
      /** `<( … )` is read from, `>( … )` is written to. */
      readonly direction: "in" | "out";
      readonly script: ParsedScript;
      readonly source: string;
    }
  | {
      /** Anything else only known at run time, such as `$(( … ))`. */
      readonly kind: "dynamic";
      readonly quoted: boolean;
      readonly source: string;
    };

export type Redirect =
  | {
      readonly kind: "file";
      /** `>`, `>>`, `>|`, `<`, `<>`, `&>`, `&>>`, `>&`, `<&`. */
      readonly operator: string;
      readonly fd?: number;
      readonly target: Word;
    }
  | {
      readonly kind: "heredoc";
      readonly fd?: number;
      /** The body; with a quoted delimiter it is plain text, otherwise it may hold expansions. */
      readonly body: Word;
    }
  | {
      readonly kind: "herestring";
      readonly fd?: number;
      readonly word: Word;
    };
