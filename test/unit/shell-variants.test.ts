import fc from "fast-check";
import { CedarPolicyEngine } from "../../lambdas/adapters/cedar/cedar-engine";
import { inputSha256 } from "../../lambdas/core/hashing";
import { decideToolCall } from "../../lambdas/core/policy/evaluate";
import type { CompiledPolicySet } from "../../lambdas/core/policy/policy-set";
import type { ShellParser } from "../../lambdas/core/shell/syntax";
import { BUILTIN_POLICY_TEXTS } from "../../lambdas/policies/builtin";
import { fixtureTask, loadPolicyFixtures } from "../support/policy-fixtures";
import { bashParser } from "../support/shell-parser";

let shell: ShellParser;
let policies: CompiledPolicySet;
beforeAll(async () => {
  shell = await bashParser();
  const compiled = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS).compile();
  if (!compiled.ok) throw new Error("built-in policies did not load");
  policies = compiled.policySet;
});

/** Every golden Bash case that the built-ins deny or send to a human, with no grant in play. */
const gated = loadPolicyFixtures()
  .map(({ fixture }) => fixture)
  .filter(
    (f) =>
      f.tool_name === "Bash" &&
      typeof f.tool_input.command === "string" &&
      f.expected.decision !== "ALLOW" &&
      f.expected.source !== "fail_closed" &&
      !f.policies &&
      !f.task.grants?.length &&
      !f.task.status,
  );

/** One simple command, with no assignment in front: a wrapper put before it still runs it. */
const SIMPLE = (c: string) =>
  !/[;&|(){}\n<>`]/.test(c) && !/^[A-Za-z_]+=/.test(c) && !/^(if|for|while|case|until)\b/.test(c);
/** No quoting, heredocs or expansions: quoting a word of it keeps its meaning. */
const UNQUOTED = (c: string) => !/['"`\\$]|<</.test(c);

/**
 * Rewrites that a shell reads as the same command, or as one the analysis cannot read: none of
 * them may ever turn a denial or a question into an ALLOW. `applies` says which commands a
 * rewrite keeps the meaning of.
 */
const rewrites: {
  name: string;
  apply: (command: string, pick: number) => string;
  applies?: (c: string) => boolean;
}[] = [
  { name: "doubled spaces", apply: (c) => c.replace(/ /g, "  ") },
  { name: "tabs for spaces", apply: (c) => c.replace(/ /g, "\t") },
  { name: "a trailing newline", apply: (c) => `${c}\n` },
  { name: "a leading true &&", apply: (c) => `true && ${c}` },
  { name: "a trailing && true", apply: (c) => `${c} && true` },
  { name: "a trailing ; true", apply: (c) => `${c} ; true` },
  { name: "a trailing comment", apply: (c) => `${c} # harmless` },
  { name: "a subshell", apply: (c) => `( ${c} )` },
  { name: "a group", apply: (c) => `{ ${c} ; }` },
  { name: "sudo", apply: (c) => `sudo ${c}`, applies: SIMPLE },
  { name: "env", apply: (c) => `env ${c}`, applies: SIMPLE },
  { name: "command", apply: (c) => `command ${c}`, applies: SIMPLE },
  { name: "nice", apply: (c) => `nice ${c}`, applies: SIMPLE },
  { name: "nohup", apply: (c) => `nohup ${c}`, applies: SIMPLE },
  { name: "time", apply: (c) => `time ${c}`, applies: SIMPLE },
  { name: "bash -c", apply: (c) => `bash -c ${singleQuoted(c)}` },
  { name: "sh -c under sudo", apply: (c) => `sudo sh -c ${singleQuoted(c)}` },
  { name: "eval", apply: (c) => `eval ${singleQuoted(c)}` },
  { name: "a quoted word", apply: (c, pick) => quoteWord(c, pick, "'"), applies: UNQUOTED },
  { name: "a double-quoted word", apply: (c, pick) => quoteWord(c, pick, '"'), applies: UNQUOTED },
  { name: "an empty quote inside a word", apply: (c, pick) => splitWord(c, pick), applies: UNQUOTED },
];

function singleQuoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** Quotes one plain word (letters, digits, `-._/` only), so its meaning cannot change. */
function quoteWord(command: string, pick: number, quote: string): string {
  const words = [...command.matchAll(/(?<=^| )[A-Za-z0-9_./-]+(?= |$)/g)];
  const word = words[pick % Math.max(words.length, 1)];
  if (!word || word.index === undefined) return command;
  return `${command.slice(0, word.index)}${quote}${word[0]}${quote}${command.slice(word.index + word[0].length)}`;
}

/** Puts `''` inside one plain word of at least two letters: `rm` becomes `r''m`. */
function splitWord(command: string, pick: number): string {
  const words = [...command.matchAll(/(?<=^| )[A-Za-z0-9_]{2,}(?= |$)/g)];
  const word = words[pick % Math.max(words.length, 1)];
  if (!word || word.index === undefined) return command;
  const at = word.index + 1;
  return `${command.slice(0, at)}''${command.slice(at)}`;
}

function decide(command: string, fixture: (typeof gated)[number]) {
  const call = { tool_name: "Bash", tool_input: { command } };
  return decideToolCall({
    task: fixtureTask(fixture),
    call,
    inputSha256: inputSha256(call.tool_input),
    policies,
    shell,
    locks: [],
    now: new Date("2026-11-22T12:00:00.000Z"),
  });
}

describe("spelling a gated command differently never allows it", () => {
  it("has gated cases to rewrite", () => {
    expect(gated.length).toBeGreaterThan(200);
  });

  it.each(rewrites.map((r) => [r.name, r] as const))("with %s", (_name, rewrite) => {
    const cases = gated.filter((f) => rewrite.applies?.(f.tool_input.command as string) ?? true);
    expect(cases.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.nat(), (fixture, pick) => {
        const command = rewrite.apply(fixture.tool_input.command as string, pick);
        const result = decide(command, fixture);
        if (result.decision === "ALLOW")
          throw new Error(`${JSON.stringify(command)} was allowed (${fixture.name})`);
      }),
      { numRuns: 150 },
    );
  });

  it("keeps every hard denial a denial under every whitespace, quoting and list rewrite", () => {
    const denied = gated.filter((f) => f.expected.decision === "DENY");
    for (const fixture of denied) {
      for (const rewrite of rewrites) {
        if (rewrite.applies && !rewrite.applies(fixture.tool_input.command as string)) continue;
        const command = rewrite.apply(fixture.tool_input.command as string, 0);
        const result = decide(command, fixture);
        if (result.decision !== "DENY" && result.decision !== "REQUIRE_APPROVAL")
          throw new Error(`${JSON.stringify(command)} was ${result.decision} (${fixture.name})`);
      }
    }
  });
});
