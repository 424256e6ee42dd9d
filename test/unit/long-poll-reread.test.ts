import { REREAD_MAX_MS, REREAD_MIN_MS, rereadDelayMs } from "../../lambdas/core/control-plane/long-poll";

/** The re-reads a long-poll makes while a request stays pending from `fromMs` to `toMs` of its age. */
function rereadsBetween(fromMs: number, toMs: number): number {
  let reads = 0;
  for (let age = fromMs; age < toMs; age += rereadDelayMs(age)) reads += 1;
  return reads;
}

describe("rereadDelayMs", () => {
  it.each([
    [0, REREAD_MIN_MS],
    [500, REREAD_MIN_MS],
    [1_000, 100],
    [2_500, 250],
    [5_000, 500],
    [10_000, REREAD_MAX_MS],
    [300_000, REREAD_MAX_MS],
    // A clock behind the request's creation time reads as fast as a fresh request, never faster.
    [-5_000, REREAD_MIN_MS],
    [Number.NaN, REREAD_MAX_MS],
  ])("waits, after %p ms pending, %p ms before the next read", (pendingMs, expected) => {
    // Act, Assess
    expect(rereadDelayMs(pendingMs)).toBe(expected);
  });

  it("keeps a decision's delay under a tenth of the time the request had waited, past the first second", () => {
    // Act, Assess
    for (const pendingMs of [1_000, 3_000, 7_500, 9_999]) {
      expect(rereadDelayMs(pendingMs)).toBeLessThanOrEqual(pendingMs / 10);
    }
  });

  it("reads a request pending for 5 minutes under a quarter as often as a fixed 200 ms interval would", () => {
    // Act
    const reads = rereadsBetween(0, 300_000);

    // Assess
    expect(reads).toBeLessThan(300_000 / 200 / 4);
    expect(reads).toBeGreaterThan(300);
  });
});
