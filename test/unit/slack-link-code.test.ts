import { randomBytes } from "node:crypto";
import fc from "fast-check";
import {
  displayLinkCode,
  LINK_CODE_LENGTH,
  newLinkCode,
  normalizeLinkCode,
} from "../../lambdas/core/slack/link-code";

describe("link codes", () => {
  it("are 8 Crockford base32 characters made from 40 random bits", () => {
    // Act
    const zeros = newLinkCode(() => new Uint8Array(5));
    const ones = newLinkCode(() => new Uint8Array(5).fill(255));
    const real = newLinkCode(randomBytes);

    // Assess
    expect(zeros).toBe("00000000");
    expect(ones).toBe("ZZZZZZZZ");
    expect(real).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it("use every bit: distinct bytes give distinct codes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        (a, b) => {
          const same = Buffer.from(a).equals(Buffer.from(b));
          return (newLinkCode(() => a) === newLinkCode(() => b)) === same;
        },
      ),
    );
  });

  it("refuses a random source that returns too few bytes", () => {
    expect(() => newLinkCode(() => new Uint8Array(4))).toThrow();
  });

  it("are shown as ABCD-EFGH", () => {
    expect(displayLinkCode("ABCDEFGH")).toBe("ABCD-EFGH");
  });

  it.each([
    ["ABCD-EFGH", "ABCDEFGH"],
    ["abcdefgh", "ABCDEFGH"],
    [" abcd efgh ", "ABCDEFGH"],
    ["OOOO-IIII", "00001111"],
    ["llll-0000", "11110000"],
  ])("normalise %j to %j", (typed, canonical) => {
    expect(normalizeLinkCode(typed)).toBe(canonical);
  });

  it.each(["", "ABCDEFG", "ABCDEFGHJ", "ABCD-EFGU", "ABCD_EFGH", "ÄBCDEFGH"])("refuse %j", (typed) => {
    expect(normalizeLinkCode(typed)).toBeUndefined();
  });

  it("round-trip through display and normalisation", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (bytes) => {
        const code = newLinkCode(() => bytes);
        return (
          code.length === LINK_CODE_LENGTH && normalizeLinkCode(displayLinkCode(code).toLowerCase()) === code
        );
      }),
    );
  });
});
