import { parse } from "yaml";
import { z } from "zod";
import { DryRunBodySchema } from "../../contracts/api";
import type { DryRunResult } from "../../sdk/types";

const DecisionSchema = z.enum(["ALLOW", "DENY", "REQUIRE_APPROVAL"]);

/** One case of a `policies test` file. */
export const PolicyCaseSchema = z.strictObject({
  name: z.string().min(1),
  tool_name: DryRunBodySchema.shape.tool_name,
  tool_input: DryRunBodySchema.shape.tool_input,
  read_only: z.boolean().optional(),
  expect: z.union([
    DecisionSchema,
    z.strictObject({ decision: DecisionSchema, rule_ids: z.array(z.string()).optional() }),
  ]),
});
export type PolicyCase = z.infer<typeof PolicyCaseSchema>;

/** Parses a cases file (a YAML list); throws with every problem named. */
export function parsePolicyCases(text: string, file: string): PolicyCase[] {
  const parsed = z.array(PolicyCaseSchema).min(1).safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new Error(
      `${file} is not a list of cases {name, tool_name, tool_input, expect}:\n  ${problems.join("\n  ")}`,
    );
  }
  return parsed.data;
}

/** How one case fared: passed, and what was expected and got, in words. */
export interface CaseOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: string;
  readonly got: string;
}

/** Compares a dry-run answer with a case's expectation; rule ids compare as a set. */
export function judgeCase(c: PolicyCase, result: DryRunResult): CaseOutcome {
  const want = typeof c.expect === "string" ? { decision: c.expect } : c.expect;
  const sameRules =
    want.rule_ids === undefined ||
    [...want.rule_ids].sort().join(",") === [...result.rule_ids].sort().join(",");
  const describe = (decision: string, rules?: readonly string[]) =>
    rules && rules.length > 0 ? `${decision} [${rules.join(",")}]` : decision;
  return {
    name: c.name,
    passed: want.decision === result.decision && sameRules,
    expected: describe(want.decision, want.rule_ids),
    got: describe(result.decision, result.rule_ids),
  };
}
