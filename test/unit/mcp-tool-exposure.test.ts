import { exposedName, hiddenBecause, splitExposedName } from "../../mcp/tool-exposure";

describe("which upstream tools the gateway offers", () => {
  it.each([
    ["files__read_file", undefined],
    ["github__create_issue", undefined],
    ["github__list_pull_requests", undefined],
    ["ops__approve_request", "looks like an approval-control operation"],
    ["ops__approveRequest", "looks like an approval-control operation"],
    ["ops__deny", "looks like an approval-control operation"],
    ["gates__cancel_task", "looks like an approval-control operation"],
    ["iam__grant_access", "looks like an approval-control operation"],
    ["iam__GrantAccess", "looks like an approval-control operation"],
    ["gates__revoke_grant", "looks like an approval-control operation"],
    ["gates__publish_policies", "looks like an approval-control operation"],
    ["gates__set-policy", "looks like an approval-control operation"],
    ["ci__bypass_checks", "looks like an approval-control operation"],
    ["files__secret_dump", "hidden by configuration"],
    [`files__${"x".repeat(130)}`, "name not usable"],
    ["files__has space", "name not usable"],
  ])("%s → %s", (name, expected) => {
    expect(hiddenBecause(name, { hide: ["files__secret_*"] })).toBe(expected);
  });

  it("offers a control-like name only when the configuration vouches for it by exact name", () => {
    const rules = { allowControlLike: ["shop__cancel_order"] };
    expect(hiddenBecause("shop__cancel_order", rules)).toBeUndefined();
    expect(hiddenBecause("shop__cancel_orders", rules)).toBe("looks like an approval-control operation");
  });

  it("splits an exposed name at the first separator, and refuses names without both parts", () => {
    expect(splitExposedName(exposedName("files", "read__raw"))).toEqual({
      upstream: "files",
      tool: "read__raw",
    });
    expect(splitExposedName("files")).toBeUndefined();
    expect(splitExposedName("__read")).toBeUndefined();
    expect(splitExposedName("files__")).toBeUndefined();
  });
});
