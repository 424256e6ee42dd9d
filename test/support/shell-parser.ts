import { loadBashParser } from "../../lambdas/adapters/shell/tree-sitter-bash";
import { analyzeCall, type ToolCall } from "../../lambdas/core/policy/call-analysis";
import {
  buildCedarRequests,
  type CedarRequest,
  type TaskFacts,
} from "../../lambdas/core/policy/cedar-request";
import type { ShellParser } from "../../lambdas/core/shell/syntax";

/**
 * A stand-in for the shell parser in pure unit tests: the whole text is one simple command
 * whose words are split on spaces, so tests that are not about parsing need no WebAssembly.
 */
export const wordSplittingParser: ShellParser = {
  parse: (source) => ({
    body: {
      kind: "command",
      assignments: [],
      words: source
        .split(/\s+/)
        .filter((w) => w !== "")
        .map((text) => ({ parts: [{ kind: "text", text, quoted: false }], source: text })),
      redirects: [],
      source,
    },
  }),
};

/** The real Bash parser; tests load it once in `beforeAll`. */
export const bashParser: () => Promise<ShellParser> = loadBashParser;

/** The Cedar requests a call is judged by, with the real parser. */
export function requestsFor(parser: ShellParser, task: TaskFacts, call: ToolCall): CedarRequest[] {
  return buildCedarRequests(task, call, analyzeCall(call, parser));
}
