import { guardCases, runGuardCase } from "../support/guard-fixtures";

const cases = guardCases();

describe("guard golden cases", () => {
  it("has cases to be checked against", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    // Act
    const { result, calls } = await runGuardCase(c);

    // Assess
    const { reason, ...rest } = result;
    if (c.expected.reason_starts_with !== undefined) {
      expect(rest).toEqual(c.expected.result);
      expect(reason.startsWith(c.expected.reason_starts_with)).toBe(true);
    } else expect(result).toEqual(c.expected.result);
    expect(calls).toEqual(c.expected.calls);
  });
});
