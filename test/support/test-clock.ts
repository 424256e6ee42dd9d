import type { Clock } from "../../lambdas/core/ports";

/** Real time plus an offset the test can move forward, so deadlines pass without waiting. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
