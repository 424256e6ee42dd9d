import { readFile } from "node:fs/promises";
import { GatesApiError } from "../../sdk/gates-api-error";
import { lazyModule } from "../../sdk/lazy-module";
import type { PolicyView } from "../../sdk/types";
import { CheckFailed, clean, cut, type Output } from "../cli-io";
import type { CaseOutcome } from "./policy-cases";
import type { Register } from "./register";

function rulesTable(out: Output, view: PolicyView): string {
  const rules = [...view.hard, ...view.soft];
  return out.table(
    ["RULE", "TIER", "SOURCE", "SEVERITY", "TIMEOUT", "SUMMARY"],
    rules.map((r) => [
      clean(r.rule_id),
      clean(r.tier),
      clean(r.layer ? `${r.source} ${r.layer}` : r.source),
      r.severity ? out.paint(clean(r.severity)) : "",
      r.approval_timeout_s ? `${r.approval_timeout_s}s` : "",
      cut(clean(r.summary ?? ""), 70),
    ]),
  );
}

// zod and the YAML parser load when a policy command runs, not at start-up.
const policyCases = lazyModule(() => require("./policy-cases") as typeof import("./policy-cases"));
const diagnosticsSchema = lazyModule(() => {
  const { z } = require("zod") as typeof import("zod");
  return z.array(z.object({ rule_id: z.string().optional(), message: z.string() }));
});

/** Prints the diagnostics of a rejected publish, one row per problem. */
function printDiagnostics(out: Output, error: GatesApiError): void {
  const parsed = diagnosticsSchema().safeParse(error.details?.diagnostics);
  const diagnostics = parsed.success ? parsed.data : [];
  if (out.json) {
    out.data({ error: { code: error.code, message: error.message, diagnostics } });
    return;
  }
  const rows = diagnostics.map((d) => [clean(d.rule_id ?? "-"), clean(d.message)]);
  out.line(`${out.paint("FAIL")} ${clean(error.message)}\n${out.table(["RULE", "PROBLEM"], rows)}`);
}

/** `policies list|show|push|test`. */
export const registerPolicyCommands: Register = (program, action) => {
  const policies = program.command("policies").description("the Cedar rules of a repo");

  policies
    .command("list <repo>")
    .description("the rules in force, one line each")
    .action(
      action(async (ctx, repo: string) => {
        const view = await ctx.client.policies(repo);
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(rulesTable(ctx.out, view));
      }),
    );

  policies
    .command("show <repo>")
    .description("the policy version, disabled rules and every rule")
    .action(
      action(async (ctx, repo: string) => {
        const { out } = ctx;
        const view = await ctx.client.policies(repo);
        if (out.json) return out.data(view);
        out.line(`repo        ${clean(view.repo_id)}`);
        out.line(`version     ${view.version}${view.version === 0 ? " (built-ins only)" : ""}`);
        out.line(`built-ins   ${clean(view.builtin_version)}`);
        const layers = view.layers.map((l) => `${l.layer} v${l.version}`).join(", ");
        out.line(`layers      ${clean(layers || "none published")}`);
        out.line(`disabled    ${clean(view.disabled.join(", ") || "none")}\n`);
        out.line(rulesTable(out, view));
      }),
    );

  policies
    .command("push <repo> <file>")
    .description("publish a .cedar file as the repo's next version (admins)")
    .option("--disable <ids>", "soft built-in rule ids to turn off, comma-separated")
    .action(
      action(async (ctx, repo: string, file: string, options: { disable?: string }) => {
        const text = await readFile(file, "utf8");
        const disable = options.disable
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        try {
          const view = await ctx.client.publishPolicies(repo, {
            policies: text,
            ...(disable ? { disable } : {}),
          });
          if (ctx.out.json) return ctx.out.data(view);
          ctx.out.line(`Published ${clean(view.repo_id)} version ${view.version}.`);
          for (const w of view.warnings) ctx.out.line(`warning: ${clean(w)}`);
        } catch (error) {
          if (!(error instanceof GatesApiError) || error.code !== "POLICY_INVALID") throw error;
          printDiagnostics(ctx.out, error);
          throw new CheckFailed("policy rejected");
        }
      }),
    );

  policies
    .command("test <repo> <cases>")
    .description("run a YAML file of cases through the dry-run endpoint")
    .option("--policies <file>", "judge with this candidate .cedar file instead of the published rules")
    .action(
      action(async (ctx, repo: string, casesFile: string, options: { policies?: string }) => {
        const cases = policyCases().parsePolicyCases(await readFile(casesFile, "utf8"), casesFile);
        const candidate = options.policies ? await readFile(options.policies, "utf8") : undefined;
        const outcomes: CaseOutcome[] = [];
        for (const c of cases) {
          const result = await ctx.client.dryRun(repo, {
            tool_name: c.tool_name,
            tool_input: c.tool_input,
            ...(c.read_only !== undefined ? { read_only: c.read_only } : {}),
            ...(candidate !== undefined ? { policies: candidate } : {}),
          });
          outcomes.push(policyCases().judgeCase(c, result));
        }
        const failed = outcomes.filter((o) => !o.passed).length;
        const { out } = ctx;
        if (out.json) out.data({ passed: outcomes.length - failed, failed, cases: outcomes });
        else {
          out.line(
            out.table(
              ["RESULT", "CASE", "EXPECTED", "GOT"],
              outcomes.map((o) => [
                out.paint(o.passed ? "PASS" : "FAIL"),
                clean(o.name),
                o.expected,
                clean(o.got),
              ]),
            ),
          );
          out.line(`\n${outcomes.length - failed} passed, ${failed} failed`);
        }
        if (failed > 0) throw new CheckFailed(`${failed} cases failed`);
      }),
    );
};
