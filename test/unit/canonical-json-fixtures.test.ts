import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../lambdas/core/canonical-json";
import { sha256Hex } from "../../lambdas/core/hashing";

/** Golden canonical forms of JSON texts; the Python client checks its own serializer against them. */
interface CanonicalCase {
  name: string;
  /** JSON text, parsed before it is canonicalized, as a ledger reader would. */
  input: string;
  expected: { canonical: string; sha256: string };
}

const DIR = join(__dirname, "../../contracts/fixtures/canonical-json");
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as CanonicalCase);

describe("canonical JSON golden cases", () => {
  it("has cases to be checked against", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, { input, expected }) => {
    // Act
    const canonical = canonicalJson(JSON.parse(input));

    // Assess
    expect({ canonical, sha256: sha256Hex(canonical) }).toEqual(expected);
  });
});
