import fc from "fast-check";
import { globMatches, isDegenerateGlob } from "../../lambdas/core/glob";

/** A regex-based reading of the glob grammar, trustworthy only on the short inputs a property generates. */
function referenceMatches(pattern: string, text: string): boolean {
  const source = Array.from(pattern)
    .map((char) => {
      if (char === "*") return "[^]*";
      if (char === "?") return ".";
      return char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`, "su").test(text);
}

describe("globMatches", () => {
  it.each([
    { pattern: "git push *", text: "git push origin main", expected: true, why: "star matches a run" },
    { pattern: "src/*", text: "src/a/b/c.ts", expected: true, why: "star crosses /" },
    { pattern: "git push *", text: "git push ", expected: true, why: "star matches the empty run" },
    { pattern: "a*b*c", text: "abc", expected: true, why: "several empty stars" },
    { pattern: "file.?s", text: "file.ts", expected: true, why: "? matches one character" },
    { pattern: "file.?s", text: "file.s", expected: false, why: "? needs a character" },
    { pattern: "file.?s", text: "file.tts", expected: false, why: "? matches only one character" },
    { pattern: "say ?!", text: "say 😀!", expected: true, why: "? matches one emoji code point" },
    { pattern: "say ??!", text: "say 😀!", expected: false, why: "an emoji is not two characters" },
    { pattern: "*.env", text: "config/.env", expected: true, why: "literal . after a star" },
    { pattern: "a.b", text: "axb", expected: false, why: ". is literal, not any character" },
    { pattern: "f(x)+1", text: "f(x)+1", expected: true, why: "( ) + are literal" },
    { pattern: "f(x)+1", text: "f(x)1", expected: false, why: "+ is not a repetition" },
    { pattern: "[ab]c", text: "ac", expected: false, why: "[ is not a character class" },
    { pattern: "[ab]c", text: "[ab]c", expected: true, why: "[ ] are literal" },
    { pattern: "^a$|b", text: "^a$|b", expected: true, why: "^ $ | are literal" },
    { pattern: "a\\d", text: "a\\d", expected: true, why: "backslash is literal" },
    { pattern: "push", text: "git push origin", expected: false, why: "the whole text must match" },
    { pattern: "git*", text: "agit push", expected: false, why: "the match is anchored at the start" },
    { pattern: "*push", text: "push origin", expected: false, why: "the match is anchored at the end" },
    { pattern: "Git push *", text: "git push origin", expected: false, why: "matching is case-sensitive" },
    { pattern: "", text: "", expected: true, why: "empty matches empty" },
    { pattern: "", text: "a", expected: false, why: "empty matches nothing else" },
    { pattern: "*", text: "", expected: true, why: "a lone star matches empty" },
    { pattern: "*a*b", text: "xaxbxb", expected: true, why: "backtracks to the last star" },
    { pattern: "*a*b", text: "xaxbxc", expected: false, why: "backtracking still fails when it should" },
  ])("$why: $pattern vs $text → $expected", ({ pattern, text, expected }) => {
    // Prepare: the case. Act
    const matched = globMatches(pattern, text);

    // Assess
    expect(matched).toBe(expected);
  });

  it("agrees with a reference regex on small alphabets", () => {
    // Prepare
    const patternArb = fc.string({ unit: fc.constantFrom("a", "b", "😀", "/", ".", "*", "?"), maxLength: 8 });
    const textArb = fc.string({ unit: fc.constantFrom("a", "b", "😀", "/", "."), maxLength: 12 });

    // Act / Assess
    fc.assert(
      fc.property(patternArb, textArb, (pattern, text) => {
        expect(globMatches(pattern, text)).toBe(referenceMatches(pattern, text));
      }),
      { numRuns: 2000 },
    );
  });

  it("finishes on a pathological pattern against 64 KiB of text", () => {
    // Prepare: a pattern that sends a backtracking regex engine into exponential time.
    const pattern = "*a*a*a*a*a*a*a*a*b";
    const text = "a".repeat(64 * 1024);

    // Act
    const matched = globMatches(pattern, text);

    // Assess
    expect(matched).toBe(false);
  });

  it("finishes on a 256-character pattern of many stars against 64 KiB of text", () => {
    // Prepare
    const pattern = `${"*ab".repeat(85)}c`;
    const text = "ab".repeat(32 * 1024);

    // Act
    const matched = globMatches(pattern, text);

    // Assess
    expect(matched).toBe(false);
  });
});

describe("isDegenerateGlob", () => {
  it.each([
    { pattern: "*", expected: true, why: "only a wildcard" },
    { pattern: "**", expected: true, why: "only wildcards" },
    { pattern: "*?*", expected: true, why: "only wildcards, three long" },
    { pattern: "ab", expected: true, why: "two characters or fewer" },
    { pattern: "a*", expected: true, why: "two characters or fewer" },
    { pattern: "", expected: true, why: "empty" },
    { pattern: "*?*x", expected: true, why: "more than half wildcards" },
    { pattern: "a**", expected: true, why: "more than half wildcards" },
    { pattern: "😀😀", expected: true, why: "two code points is too short" },
    { pattern: "😀**", expected: true, why: "code points are counted, not UTF-16 units" },
    { pattern: "abc", expected: false, why: "three literal characters" },
    { pattern: "git*", expected: false, why: "one wildcard in four" },
    { pattern: "ab**", expected: false, why: "exactly half wildcards is allowed" },
    { pattern: "src/**", expected: false, why: "two wildcards in six" },
    { pattern: "git push *", expected: false, why: "mostly literal" },
    { pattern: "*.env", expected: false, why: "one wildcard in five" },
  ])("$why: $pattern → $expected", ({ pattern, expected }) => {
    // Prepare: the case. Act
    const degenerate = isDegenerateGlob(pattern);

    // Assess
    expect(degenerate).toBe(expected);
  });
});
