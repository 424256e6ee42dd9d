import hardText from "../../lambdas/policies/builtin-hard.cedar";

describe("toolchain", () => {
  it("loads .cedar files as text", () => {
    expect(hardText).toContain("forbid");
  });
});
