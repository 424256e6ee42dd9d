import { UsageError } from "./cli-io";

/** Waits `ms`, or less when the signal fires first; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** `--interval <seconds>` as milliseconds: a whole number of seconds from 1 to 300. */
export function intervalMs(value: string | undefined, defaultS: number): number {
  if (value === undefined) return defaultS * 1000;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300)
    throw new UsageError(`--interval ${value} is not a whole number of seconds from 1 to 300`);
  return seconds * 1000;
}

/** One line of NDJSON: a compact JSON object and a newline, so each change can be read on its own. */
export function ndjson(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
