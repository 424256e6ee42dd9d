/**
 * Limits on the expressions of one Cedar policy, checked before Cedar parses the text. cedar-wasm's
 * parser recurses once per nesting level and per chained operator; past a few hundred brackets or a
 * few thousand operators it overflows its stack inside the module, which then fails every later call
 * of the process, so text from a caller must never reach it unchecked. The limits sit far below those
 * depths and far above any rule a person writes (the built-in rules use at most 4 levels and about
 * 120 operators).
 */
export const POLICY_TEXT_LIMITS = {
  /** Levels of `(`, `[` and `{`. */
  maxBracketDepth: 32,
  /** `if … then … else` expressions, which nest. */
  maxConditionals: 32,
  /** Binary, member and unary operators, and `when`/`unless` clauses. */
  maxOperators: 1000,
} as const;

const OPERATOR_WORDS = new Set(["in", "has", "like", "is", "when", "unless"]);
const TWO_CHAR_OPERATORS = new Set(["&&", "||", "==", "!=", "<=", ">="]);
const ONE_CHAR_OPERATORS = new Set(["<", ">", "+", "-", "*", ".", "!"]);
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

interface PolicyCounts {
  index: number;
  /** Where the policy's first token is; undefined until it is seen. */
  line: number | undefined;
  depth: number;
  conditionals: number;
  operators: number;
}

function problemOf(p: PolicyCounts): string | undefined {
  const where = `policy ${p.index} (line ${p.line ?? 1})`;
  if (p.depth > POLICY_TEXT_LIMITS.maxBracketDepth)
    return `${where} nests brackets more than ${POLICY_TEXT_LIMITS.maxBracketDepth} levels deep; flatten the expression`;
  if (p.conditionals > POLICY_TEXT_LIMITS.maxConditionals)
    return `${where} has more than ${POLICY_TEXT_LIMITS.maxConditionals} if-then-else expressions; split the rule`;
  if (p.operators > POLICY_TEXT_LIMITS.maxOperators)
    return `${where} has more than ${POLICY_TEXT_LIMITS.maxOperators} operators; split the rule into several`;
  return undefined;
}

/**
 * Why Cedar policy text is too deeply nested or too long a chain to hand to Cedar, naming the first
 * policy over a {@link POLICY_TEXT_LIMITS} limit; `undefined` when it is within them. Strings and
 * comments are skipped, so only the expressions count. One pass, no recursion.
 */
export function policyTextProblem(text: string): string | undefined {
  let policy: PolicyCounts = { index: 1, line: undefined, depth: 0, conditionals: 0, operators: 0 };
  let depth = 0;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    const pair = text.slice(i, i + 2);
    if (c === "\n") {
      line += 1;
      i += 1;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i += 1;
      continue;
    }
    if (pair === "//") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
      continue;
    }
    policy.line ??= line;
    if (c === '"') {
      // A string runs to the next quote that no backslash escapes.
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\n") line += 1;
        i += text[i] === "\\" ? 2 : 1;
      }
      i += 1;
    } else if (c === "(" || c === "[" || c === "{") {
      depth += 1;
      policy.depth = Math.max(policy.depth, depth);
      i += 1;
    } else if (c === ")" || c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
      i += 1;
    } else if (c === ";" && depth === 0) {
      const problem = problemOf(policy);
      if (problem) return problem;
      policy = { index: policy.index + 1, line: undefined, depth: 0, conditionals: 0, operators: 0 };
      i += 1;
    } else if (pair === "::") {
      i += 2;
    } else if (TWO_CHAR_OPERATORS.has(pair)) {
      policy.operators += 1;
      i += 2;
    } else if (ONE_CHAR_OPERATORS.has(c)) {
      policy.operators += 1;
      i += 1;
    } else {
      IDENTIFIER.lastIndex = i;
      const word = IDENTIFIER.exec(text)?.[0];
      if (word === "if") policy.conditionals += 1;
      else if (word !== undefined && OPERATOR_WORDS.has(word)) policy.operators += 1;
      i += word?.length ?? 1;
    }
    if (policy.depth > POLICY_TEXT_LIMITS.maxBracketDepth) return problemOf(policy);
  }
  return problemOf(policy);
}
