import { readFileSync } from "node:fs";
import { Language, type Node, Parser } from "web-tree-sitter";
import { decodeAnsiC } from "../../core/shell/escapes";
import type {
  Assignment,
  CommandNode,
  ParsedScript,
  Redirect,
  ScriptNode,
  ShellParser,
  Word,
  WordPart,
} from "../../core/shell/syntax";

/** Deeper syntax than this is not translated: the script is reported as not read completely. */
const MAX_SYNTAX_DEPTH = 200;

const EMPTY: ScriptNode = { kind: "sequence", items: [] };

let loading: Promise<ShellParser> | undefined;

/**
 * The Bash parser: tree-sitter's Bash grammar on web-tree-sitter, both WebAssembly. Loading
 * compiles the two modules once per process (asynchronously, off the main thread where the
 * engine can); every later call gets the same parser, and a failed load is tried again.
 */
export function loadBashParser(): Promise<ShellParser> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<ShellParser> {
  await Parser.init();
  // The bytes, not the path: given a path, web-tree-sitter reads it through a dynamic import.
  const grammar = readFileSync(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
  const language = await Language.load(new Uint8Array(grammar));
  const parser = new Parser();
  parser.setLanguage(language);
  return new TreeSitterBashParser(parser);
}

class TreeSitterBashParser implements ShellParser {
  constructor(private readonly parser: Parser) {}

  parse(source: string): ParsedScript {
    const tree = this.parser.parse(source);
    if (!tree) return { body: EMPTY, problem: "the shell parser gave no result" };
    try {
      const translator = new Translator();
      const body = translator.statements(tree.rootNode.namedChildren, 0);
      // A MISSING token (an unclosed quote, `)` or `fi`) is only visible as an error on the tree.
      const problem =
        translator.problem ??
        (tree.rootNode.hasError ? "the command is incomplete or not valid shell" : undefined);
      return problem === undefined ? { body } : { body, problem };
    } finally {
      tree.delete();
    }
  }
}

/**
 * Turns tree-sitter-bash nodes into the analysis's syntax. Anything it does not know, an
 * `ERROR` or a `MISSING` node, or nesting past the limit, is recorded as a problem: the caller
 * treats the script as not read completely, whatever else it found.
 */
class Translator {
  problem: string | undefined;

  private fail(problem: string): void {
    this.problem ??= problem;
  }

  statements(nodes: readonly (Node | null)[], depth: number): ScriptNode {
    const items: ScriptNode[] = [];
    for (const node of nodes) {
      if (!node || node.type === "comment") continue;
      const item = this.statement(node, depth + 1);
      if (item) items.push(item);
    }
    return items.length === 1 ? (items[0] as ScriptNode) : { kind: "sequence", items };
  }

  private statement(node: Node, depth: number): ScriptNode | undefined {
    if (depth > MAX_SYNTAX_DEPTH) {
      this.fail(`the command is nested more than ${MAX_SYNTAX_DEPTH} levels deep`);
      return undefined;
    }
    if (node.isMissing) this.fail(`the command is incomplete: ${describeMissing(node)}`);
    switch (node.type) {
      case "command":
        return this.command(node, depth);
      case "variable_assignment":
      case "variable_assignments":
        return this.assignmentsOnly(node, depth);
      case "declaration_command":
      case "unset_command":
        return this.declaration(node, depth);
      case "pipeline":
        return { kind: "pipeline", stages: this.children(node, depth) };
      case "list":
      case "compound_statement":
      case "do_group":
      case "else_clause":
      case "elif_clause":
      case "if_statement":
      case "while_statement":
      case "negated_command":
        return { kind: "sequence", items: this.children(node, depth) };
      case "subshell":
        return { kind: "subshell", body: { kind: "sequence", items: this.children(node, depth) } };
      case "redirected_statement":
        return this.redirected(node, depth);
      case "function_definition": {
        const body = node.childForFieldName("body");
        return {
          kind: "function",
          name: node.childForFieldName("name")?.text ?? "",
          body: body ? (this.statement(body, depth + 1) ?? EMPTY) : EMPTY,
        };
      }
      case "for_statement":
        return this.forLoop(node, depth);
      case "c_style_for_statement":
      case "case_statement":
      case "case_item":
      case "test_command":
        return this.compoundWithWords(node, depth);
      case "ERROR":
        this.fail(`the command is not valid shell near "${clip(node.text)}"`);
        return this.recovered(node, depth);
      default:
        if (isWordNode(node.type)) {
          // A bare word where a statement was expected, e.g. inside error recovery.
          return this.pseudoCommand(node, [node], depth);
        }
        this.fail(`the command uses shell syntax the analysis does not read (${node.type})`);
        return this.recovered(node, depth);
    }
  }

  /** Statement children of a node, skipping operators, keywords and comments. */
  private children(node: Node, depth: number): ScriptNode[] {
    const out: ScriptNode[] = [];
    for (const child of node.namedChildren) {
      if (!child || child.type === "comment") continue;
      if (child.type === "variable_name" || child.type === "file_descriptor") continue;
      const item = this.statement(child, depth + 1);
      if (item) out.push(item);
    }
    return out;
  }

  private command(node: Node, depth: number): CommandNode {
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    // Where the last word ended: words with nothing between them are one word to the shell, so
    // tree-sitter splitting one (`rm$IFS-rf$IFS/`) means it misread it.
    let wordEnd = -1;
    const checkJoined = (child: Node) => {
      if (child.startIndex === wordEnd)
        this.fail(`the parser split the word "${clip(node.text.slice(0, 80))}" where the shell would not`);
      wordEnd = child.endIndex;
    };
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      const field = node.fieldNameForChild(i);
      if (child.type === "variable_assignment") assignments.push(this.assignment(child, depth));
      else if (field === "name") {
        checkJoined(child);
        const inner = child.namedChildren[0];
        if (inner) words.push(this.word(inner, depth));
      } else if (field === "argument") {
        // `$"…"` (a translated string) comes as a lone `$` followed by the string.
        if (!child.isNamed && child.type === "$") continue;
        checkJoined(child);
        words.push(this.word(child, depth));
      } else if (field === "redirect") {
        const redirect = this.redirect(child, depth);
        if (redirect) redirects.push(redirect);
      } else if (child.type === "comment") {
      } else if (child.isNamed) {
        // A subshell or other statement glued to a command by error recovery.
        this.fail(`the command is not valid shell near "${clip(child.text)}"`);
      }
    }
    return { kind: "command", assignments, words, redirects, source: node.text };
  }

  private assignmentsOnly(node: Node, depth: number): CommandNode {
    const nodes = node.type === "variable_assignment" ? [node] : node.namedChildren;
    const assignments = nodes
      .filter((n): n is Node => n !== null && n.type === "variable_assignment")
      .map((n) => this.assignment(n, depth));
    return { kind: "command", assignments, words: [], redirects: [], source: node.text };
  }

  /** `export A=1 B`, `declare -x C=2`, `local D`, `unset E`: the keyword is the program. */
  private declaration(node: Node, depth: number): CommandNode {
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const keyword = node.child(0);
    if (keyword) words.push(literalWord(keyword.text));
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === "variable_assignment") {
        const assignment = this.assignment(child, depth);
        assignments.push(assignment);
        const value = assignment.value;
        words.push({
          parts: [
            { kind: "text", text: `${assignment.name}${assignment.append ? "+=" : "="}`, quoted: true },
            ...(value?.parts ?? []),
          ],
          source: child.text,
        });
      } else if (child.type === "variable_name") words.push(literalWord(child.text));
      else words.push(this.word(child, depth));
    }
    return { kind: "command", assignments, words, redirects: [], source: node.text, declaration: true };
  }

  private assignment(node: Node, depth: number): Assignment {
    const name = node.childForFieldName("name");
    const value = node.childForFieldName("value");
    const operator = node.children.find((c) => c !== null && !c.isNamed)?.text ?? "=";
    const nameText =
      name?.type === "subscript" ? (name.childForFieldName("name")?.text ?? name.text) : name?.text;
    return {
      name: nameText ?? "",
      // `X=` assigns the empty string.
      value: value ? this.word(value, depth) : literalWord(""),
      append: operator === "+=",
    };
  }

  private redirected(node: Node, depth: number): ScriptNode {
    const bodyNode = node.childForFieldName("body");
    let body: ScriptNode = bodyNode ? (this.statement(bodyNode, depth + 1) ?? EMPTY) : EMPTY;
    const redirects: Redirect[] = [];
    const after: { kind: "pipe" | "then"; node: ScriptNode }[] = [];
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child || node.fieldNameForChild(i) !== "redirect") {
        if (child?.type === "herestring_redirect") {
          const r = this.redirect(child, depth);
          if (r) redirects.push(r);
        }
        continue;
      }
      if (child.type === "heredoc_redirect") {
        const heredoc = this.heredoc(child, depth);
        redirects.push(...heredoc.redirects);
        after.push(...heredoc.after);
      } else {
        const r = this.redirect(child, depth);
        if (r) redirects.push(r);
      }
    }
    if (redirects.length > 0) {
      // tree-sitter hangs redirections on a whole list or pipeline (`a && b > out`, `a | b <<X`);
      // bash gives them to the last command. A group or subshell keeps them for itself.
      const kind = bodyNode?.type;
      body =
        kind === "command" || kind === "list" || kind === "pipeline" || kind === "redirected_statement"
          ? withRedirectsOnLast(body, redirects)
          : { kind: "redirected", body, redirects };
    }
    let result = body;
    for (const next of after) {
      if (next.kind === "pipe") {
        const stages = next.node.kind === "pipeline" ? next.node.stages : [next.node];
        result = pipeIntoLast(result, stages);
      } else result = { kind: "sequence", items: [result, next.node] };
    }
    return result;
  }

  /**
   * A heredoc: its body, plus whatever tree-sitter parsed after the `<<EOF` on the same line
   * (`cat <<EOF | psql`, `cat <<EOF && next`), which belongs to the enclosing statement.
   */
  private heredoc(
    node: Node,
    depth: number,
  ): { redirects: Redirect[]; after: { kind: "pipe" | "then"; node: ScriptNode }[] } {
    const redirects: Redirect[] = [];
    const after: { kind: "pipe" | "then"; node: ScriptNode }[] = [];
    let quoted = false;
    let stripTabs = false;
    let fd: number | undefined;
    let body: Word = literalWord("");
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      const field = node.fieldNameForChild(i);
      if (child.type === "<<-") stripTabs = true;
      else if (child.type === "heredoc_start") quoted = /['"\\]/.test(child.text);
      else if (child.type === "file_descriptor") fd = Number(child.text);
      else if (child.type === "heredoc_body") body = this.heredocBody(child, quoted, stripTabs, depth);
      else if (child.type === "pipeline")
        after.push({ kind: "pipe", node: this.statement(child, depth + 1) ?? EMPTY });
      else if (field === "right")
        after.push({ kind: "then", node: this.statement(child, depth + 1) ?? EMPTY });
      else if (field === "redirect") {
        const r = this.redirect(child, depth);
        if (r) redirects.push(r);
      } else if (field === "argument") {
        // `cat <<EOF arg`: an argument after the delimiter belongs to the command; keep its substitutions.
        after.push({ kind: "then", node: this.pseudoCommand(child, [child], depth) });
      }
    }
    redirects.unshift({ kind: "heredoc", ...(fd !== undefined ? { fd } : {}), body });
    return { redirects, after };
  }

  private heredocBody(node: Node, quoted: boolean, stripTabs: boolean, depth: number): Word {
    const clean = (text: string) => (stripTabs ? text.replace(/^\t+/gm, "") : text);
    if (quoted) return { parts: [{ kind: "text", text: clean(node.text), quoted: true }], source: node.text };
    const parts: WordPart[] = [];
    this.spanParts(
      node,
      parts,
      depth,
      (text) => ({ kind: "text", text: clean(unescapeHeredoc(text)), quoted: true }),
      true,
    );
    return { parts, source: node.text };
  }

  private redirect(node: Node, depth: number): Redirect | undefined {
    let fd: number | undefined;
    if (node.type === "herestring_redirect") {
      const value = node.namedChildren.find((c) => c !== null && c.type !== "file_descriptor");
      for (const c of node.namedChildren) if (c?.type === "file_descriptor") fd = Number(c.text);
      return {
        kind: "herestring",
        ...(fd !== undefined ? { fd } : {}),
        word: value ? this.word(value, depth) : literalWord(""),
      };
    }
    if (node.type !== "file_redirect") {
      this.fail(`the command uses a redirection the analysis does not read (${node.type})`);
      return undefined;
    }
    let operator = "";
    let target: Word | undefined;
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      if (child.type === "file_descriptor") fd = Number(child.text);
      else if (node.fieldNameForChild(i) === "destination") target = this.word(child, depth);
      else if (child.type === "ERROR")
        this.fail(`the command has a redirection that is not valid shell near "${clip(node.text)}"`);
      else if (!child.isNamed) operator += child.text;
    }
    if (!target) {
      // `>&-` closes a descriptor and names no file.
      if (operator.endsWith("-")) return undefined;
      this.fail(`the redirection "${clip(node.text)}" names no target`);
      return undefined;
    }
    return { kind: "file", operator, ...(fd !== undefined ? { fd } : {}), target };
  }

  private forLoop(node: Node, depth: number): ScriptNode {
    const values: Word[] = [];
    let sawIn = false;
    let body: ScriptNode = EMPTY;
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      const field = node.fieldNameForChild(i);
      if (child.type === "in") sawIn = true;
      else if (field === "value") values.push(this.word(child, depth));
      else if (field === "body") body = this.statement(child, depth + 1) ?? EMPTY;
    }
    const variable = node.childForFieldName("variable")?.text ?? "";
    return { kind: "for", variable, ...(sawIn ? { values } : {}), body };
  }

  /**
   * `case`, `[[ … ]]`, `(( ; ; ))` and friends: their statements, plus one pseudo-command carrying
   * every word-like part, so substitutions inside conditions and patterns are judged too.
   */
  private compoundWithWords(node: Node, depth: number): ScriptNode {
    const items: ScriptNode[] = [];
    const wordNodes: Node[] = [];
    for (const child of node.namedChildren) {
      if (!child || child.type === "comment") continue;
      if (isStatementNode(child.type)) {
        const item = this.statement(child, depth + 1);
        if (item) items.push(item);
      } else wordNodes.push(child);
    }
    if (wordNodes.length > 0) items.unshift(this.pseudoCommand(node, wordNodes, depth));
    return { kind: "sequence", items };
  }

  /** A command made of the word-like nodes found under `nodes`, named by the compound's keyword. */
  private pseudoCommand(owner: Node, nodes: readonly Node[], depth: number): CommandNode {
    const words: Word[] = [literalWord(PSEUDO_PROGRAMS[owner.type] ?? owner.type)];
    for (const n of nodes) this.collectWords(n, words, depth + 1);
    if (owner.type === "ERROR" || isWordNode(owner.type)) words.shift();
    return { kind: "command", assignments: [], words, redirects: [], source: owner.text };
  }

  private collectWords(node: Node, out: Word[], depth: number): void {
    if (depth > MAX_SYNTAX_DEPTH) {
      this.fail(`the command is nested more than ${MAX_SYNTAX_DEPTH} levels deep`);
      return;
    }
    if (isWordNode(node.type)) {
      out.push(this.word(node, depth));
      return;
    }
    if (node.type === "command_name") {
      for (const c of node.namedChildren) if (c) this.collectWords(c, out, depth + 1);
      return;
    }
    for (const c of node.namedChildren) if (c) this.collectWords(c, out, depth + 1);
  }

  /**
   * What error recovery left readable: statements are translated, and the loose tokens become
   * one command whose words are rebuilt from the text, since tree-sitter splits words it could
   * not place (`{rm,-rf,/}` at the start of a command is a word to bash).
   */
  private recovered(node: Node, depth: number): ScriptNode {
    const items: ScriptNode[] = [];
    const words: Word[] = [];
    let current: WordPart[] = [];
    let currentSource = "";
    let lastEnd = -1;
    const flush = () => {
      if (current.length > 0) words.push({ parts: current, source: currentSource });
      current = [];
      currentSource = "";
    };
    for (const child of node.children) {
      if (!child || child.type === "comment") continue;
      if (isStatementNode(child.type) && child.type !== "ERROR") {
        flush();
        const item = this.statement(child, depth + 1);
        if (item) items.push(item);
        lastEnd = -1;
        continue;
      }
      if (child.startIndex !== lastEnd) flush();
      lastEnd = child.endIndex;
      currentSource += child.text;
      if (!child.isNamed) current.push({ kind: "text", text: unescapeUnquoted(child.text), quoted: false });
      else if (child.type === "command_name") {
        for (const c of child.namedChildren) if (c) this.wordParts(c, current, false, depth + 1);
      } else if (child.type === "ERROR") {
        flush();
        items.push(this.recovered(child, depth + 1));
        lastEnd = -1;
      } else this.wordParts(child, current, false, depth + 1);
    }
    flush();
    if (words.length > 0)
      items.unshift({ kind: "command", assignments: [], words, redirects: [], source: node.text });
    return { kind: "sequence", items };
  }

  word(node: Node, depth: number): Word {
    const parts: WordPart[] = [];
    this.wordParts(node, parts, false, depth + 1);
    return { parts, source: node.text };
  }

  private wordParts(node: Node, out: WordPart[], quoted: boolean, depth: number): void {
    if (depth > MAX_SYNTAX_DEPTH) {
      this.fail(`the command is nested more than ${MAX_SYNTAX_DEPTH} levels deep`);
      out.push({ kind: "dynamic", quoted, source: node.text });
      return;
    }
    if (node.isMissing) this.fail(`the command is incomplete: ${describeMissing(node)}`);
    switch (node.type) {
      case "word":
      case "string_content":
      case "number":
      case "extglob_pattern":
      case "regex":
      case "brace_expression":
      case "special_variable_name":
      case "variable_name":
      case "test_operator":
        if (node.namedChildCount > 0 && node.type === "number") {
          for (const c of node.namedChildren) if (c) this.wordParts(c, out, quoted, depth + 1);
          return;
        }
        out.push({ kind: "text", text: quoted ? node.text : unescapeUnquoted(node.text), quoted });
        return;
      case "raw_string":
        out.push({ kind: "text", text: node.text.slice(1, -1), quoted: true });
        return;
      case "ansi_c_string":
        out.push({ kind: "text", text: decodeAnsiC(node.text.slice(2, -1)), quoted: true });
        return;
      case "string":
        this.spanParts(
          node,
          out,
          depth,
          (text) => ({ kind: "text", text: unescapeDoubleQuoted(text), quoted: true }),
          false,
        );
        return;
      case "translated_string":
        for (const c of node.namedChildren) if (c) this.wordParts(c, out, true, depth + 1);
        return;
      case "concatenation":
        for (const c of node.children) {
          if (!c) continue;
          if (c.isNamed) this.wordParts(c, out, quoted, depth + 1);
          else out.push({ kind: "text", text: quoted ? c.text : unescapeUnquoted(c.text), quoted });
        }
        return;
      case "simple_expansion": {
        const name = node.namedChildren[0]?.text ?? node.text.slice(1);
        out.push({ kind: "parameter", name, quoted, source: node.text });
        return;
      }
      case "expansion":
        out.push(this.expansion(node, quoted, depth));
        return;
      case "command_substitution":
        out.push({
          kind: "command",
          script: this.subscript(node, depth),
          quoted,
          source: node.text,
        });
        return;
      case "process_substitution":
        out.push({
          kind: "process",
          direction: node.text.startsWith(">") ? "out" : "in",
          script: this.subscript(node, depth),
          source: node.text,
        });
        return;
      case "ERROR":
        this.fail(`the command is not valid shell near "${clip(node.text)}"`);
        out.push({ kind: "dynamic", quoted, source: node.text });
        return;
      default: {
        // Arithmetic, arrays and other computed values: only known at run time, but any
        // substitution inside them still runs, so it is carried along as a pseudo-word.
        const inner: WordPart[] = [];
        this.collectSubstitutions(node, inner, depth + 1);
        out.push({ kind: "dynamic", quoted, source: node.text });
        out.push(...inner);
      }
    }
  }

  /** Children of a string or heredoc body, with the text between them kept as literal text. */
  private spanParts(
    node: Node,
    out: WordPart[],
    depth: number,
    literal: (text: string) => WordPart,
    keepEdges: boolean,
  ): void {
    const text = node.text;
    const base = node.startIndex;
    let cursor = keepEdges ? 0 : text.startsWith('"') ? 1 : 0;
    const end = keepEdges
      ? text.length
      : text.endsWith('"') && text.length > 1
        ? text.length - 1
        : text.length;
    for (const child of node.namedChildren) {
      if (!child) continue;
      const start = child.startIndex - base;
      if (start > cursor) out.push(literal(text.slice(cursor, start)));
      if (child.type === "string_content" || child.type === "heredoc_content") out.push(literal(child.text));
      else this.wordParts(child, out, true, depth + 1);
      cursor = Math.max(cursor, child.endIndex - base);
    }
    if (end > cursor) out.push(literal(text.slice(cursor, end)));
  }

  private expansion(node: Node, quoted: boolean, depth: number): WordPart {
    let name = "";
    let operator = "";
    const operandNodes: Node[] = [];
    let seenName = false;
    for (const child of node.children) {
      if (!child || child.text === "${" || child.text === "}") continue;
      if (!seenName && (child.type === "variable_name" || child.type === "special_variable_name")) {
        name = child.text;
        seenName = true;
      } else if (!seenName && child.type === "subscript") {
        name = child.childForFieldName("name")?.text ?? "";
        operator = "[]";
        seenName = true;
        this.collectSubstitutions(child, [], depth);
      } else if (!child.isNamed && operandNodes.length === 0) operator += child.text;
      else operandNodes.push(child);
    }
    const operand: WordPart[] = [];
    for (const n of operandNodes) this.wordParts(n, operand, quoted, depth + 1);
    return {
      kind: "parameter",
      name,
      ...(operator ? { operator } : {}),
      ...(operandNodes.length > 0
        ? { operand: { parts: operand, source: operandNodes.map((n) => n.text).join("") } }
        : {}),
      quoted,
      source: node.text,
    };
  }

  private subscript(node: Node, depth: number): ParsedScript {
    const body = this.statements(
      node.namedChildren.filter((c) => c !== null && c.type !== "file_redirect"),
      depth,
    );
    return { body };
  }

  /** Substitutions anywhere under a node whose own value is only known at run time. */
  private collectSubstitutions(node: Node, out: WordPart[], depth: number): void {
    if (depth > MAX_SYNTAX_DEPTH) {
      this.fail(`the command is nested more than ${MAX_SYNTAX_DEPTH} levels deep`);
      return;
    }
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === "command_substitution" || child.type === "process_substitution")
        this.wordParts(child, out, true, depth + 1);
      else this.collectSubstitutions(child, out, depth + 1);
    }
  }
}

/** The keyword that names the pseudo-command of a compound's words. */
const PSEUDO_PROGRAMS: Readonly<Record<string, string>> = {
  test_command: "[[",
  case_statement: "case",
  case_item: "case",
  c_style_for_statement: "for",
};

const WORD_NODES = new Set([
  "word",
  "number",
  "string",
  "raw_string",
  "ansi_c_string",
  "translated_string",
  "concatenation",
  "simple_expansion",
  "expansion",
  "command_substitution",
  "process_substitution",
  "arithmetic_expansion",
  "brace_expression",
  "extglob_pattern",
  "regex",
  "array",
]);

function isWordNode(type: string): boolean {
  return WORD_NODES.has(type);
}

const STATEMENT_NODES = new Set([
  "command",
  "variable_assignment",
  "variable_assignments",
  "declaration_command",
  "unset_command",
  "pipeline",
  "list",
  "compound_statement",
  "do_group",
  "else_clause",
  "elif_clause",
  "if_statement",
  "while_statement",
  "negated_command",
  "subshell",
  "redirected_statement",
  "function_definition",
  "for_statement",
  "c_style_for_statement",
  "case_statement",
  "case_item",
  "test_command",
  "ERROR",
]);

function isStatementNode(type: string): boolean {
  return STATEMENT_NODES.has(type);
}

/** `a && cat <<X | b`: the pipe binds tighter than `&&`, so it continues the list's last command. */
function pipeIntoLast(node: ScriptNode, stages: readonly ScriptNode[]): ScriptNode {
  if (node.kind === "sequence" && node.items.length > 0) {
    const items = [...node.items];
    items[items.length - 1] = pipeIntoLast(items[items.length - 1] as ScriptNode, stages);
    return { kind: "sequence", items };
  }
  if (node.kind === "pipeline") return { kind: "pipeline", stages: [...node.stages, ...stages] };
  return { kind: "pipeline", stages: [node, ...stages] };
}

function withRedirectsOnLast(node: ScriptNode, redirects: readonly Redirect[]): ScriptNode {
  if (node.kind === "sequence" && node.items.length > 0) {
    const items = [...node.items];
    items[items.length - 1] = withRedirectsOnLast(items[items.length - 1] as ScriptNode, redirects);
    return { kind: "sequence", items };
  }
  if (node.kind === "pipeline" && node.stages.length > 0) {
    const stages = [...node.stages];
    stages[stages.length - 1] = withRedirectsOnLast(stages[stages.length - 1] as ScriptNode, redirects);
    return { kind: "pipeline", stages };
  }
  if (node.kind === "command") return { ...node, redirects: [...node.redirects, ...redirects] };
  return { kind: "redirected", body: node, redirects };
}

function literalWord(text: string): Word {
  return { parts: [{ kind: "text", text, quoted: true }], source: text };
}

/** Outside quotes a backslash keeps the next character literally, and a backslash-newline vanishes. */
function unescapeUnquoted(text: string): string {
  return text.replace(/\\(\r?\n|[\s\S])/g, (_m, c: string) => (c === "\n" || c === "\r\n" ? "" : c));
}

/** Inside double quotes a backslash escapes only `$`, backquote, `"`, backslash and newline. */
function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === "\n" ? "" : c));
}

/** In a heredoc body a backslash escapes only `$`, backquote, backslash and newline. */
function unescapeHeredoc(text: string): string {
  return text.replace(/\\([$`\\\n])/g, (_m, c: string) => (c === "\n" ? "" : c));
}

function describeMissing(node: Node): string {
  return `a "${node.type}" is missing`;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
