import { handlerEntries, measureBundle } from "../../bench/bundles";
import { BUNDLE_BUDGET_BYTES } from "../../cdk/bundling";
import { ALL_FUNCTIONS } from "../../cdk/function-catalog";

describe("bundle budgets", () => {
  it("has a catalog entry for every handler in lambdas/handlers, so none escapes the budget", () => {
    // Assess
    expect(ALL_FUNCTIONS.map((f) => f.entry).sort()).toEqual(handlerEntries());
  });

  it.each(ALL_FUNCTIONS.map((f) => [f.entry, f] as const))(
    "keeps the %s bundle within 400 KB minified, Cedar and the shell parser aside",
    async (_entry, spec) => {
      // Act
      const { bytes, largest } = await measureBundle(spec);

      // Assess: on failure the largest packages say what grew.
      expect({ withinBudget: bytes <= BUNDLE_BUDGET_BYTES, bytes, largest }).toMatchObject({
        withinBudget: true,
      });
    },
    60_000,
  );

  it.each(ALL_FUNCTIONS.filter((f) => !f.evaluates).map((f) => [f.entry, f] as const))(
    "keeps Cedar and the shell parser out of the %s bundle, which never evaluates",
    async (_entry, spec) => {
      // Act
      const { packages } = await measureBundle(spec);

      // Assess
      expect(packages).not.toContain("@cedar-policy/cedar-wasm");
      expect(packages).not.toContain("web-tree-sitter");
      expect(packages).not.toContain("tree-sitter-bash");
    },
    60_000,
  );

  it("leaves the X-Ray SDK out of untraced bundles and puts Powertools Tracer in traced ones", async () => {
    // Act
    const agent = ALL_FUNCTIONS.find((f) => f.entry === "api-agent");
    if (!agent) throw new Error("no agent function in the catalog");
    const untraced = await measureBundle(agent);
    const traced = await measureBundle(agent, { tracing: true });

    // Assess
    expect(untraced.packages).not.toContain("aws-xray-sdk-core");
    expect(traced.packages).toEqual(
      expect.arrayContaining(["@aws-lambda-powertools/tracer", "aws-xray-sdk-core"]),
    );
  }, 60_000);
});
