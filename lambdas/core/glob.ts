/**
 * Whether `text` matches the whole of `pattern`, where `*` matches any run of characters (including `/`
 * and the empty run), `?` matches exactly one Unicode code point, and every other character is literal.
 * Matching is case-sensitive.
 *
 * Runs in O(len(pattern) × len(text)) at worst, whatever the input, because it never builds a regex.
 */
export function globMatches(pattern: string, text: string): boolean {
  // Code points, not UTF-16 units, so that `?` consumes a whole emoji.
  const patternChars = Array.from(pattern);
  const textChars = Array.from(text);
  let p = 0;
  let t = 0;
  // Where the last `*` was seen and where in the text its current run ends; -1 means no star yet.
  let starAt = -1;
  let starRunEnd = 0;

  while (t < textChars.length) {
    const patternChar = patternChars[p];
    if (patternChar === "*") {
      starAt = p;
      starRunEnd = t;
      p += 1;
    } else if (patternChar !== undefined && (patternChar === "?" || patternChar === textChars[t])) {
      p += 1;
      t += 1;
    } else if (starAt >= 0) {
      // Only the last star needs to absorb one more character: earlier stars can never do better.
      starRunEnd += 1;
      p = starAt + 1;
      t = starRunEnd;
    } else {
      return false;
    }
  }

  while (patternChars[p] === "*") {
    p += 1;
  }
  return p === patternChars.length;
}

/**
 * Whether a glob is too broad to be granted: at most two characters, only wildcards, or more than half
 * wildcards (`*` and `?`), counting code points.
 */
export function isDegenerateGlob(pattern: string): boolean {
  const chars = Array.from(pattern);
  const wildcards = chars.filter((char) => char === "*" || char === "?").length;
  return chars.length <= 2 || wildcards === chars.length || wildcards * 2 > chars.length;
}
