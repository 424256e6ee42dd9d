/** How long until a deadline, as a countdown: `4:59`, `1:02:03`, or `expired`. */
export function countdown(expiresAt: string, nowMs = Date.now()): string {
  const leftS = Math.floor((Date.parse(expiresAt) - nowMs) / 1000);
  if (!Number.isFinite(leftS) || leftS <= 0) return "expired";
  const hours = Math.floor(leftS / 3600);
  const minutes = Math.floor((leftS % 3600) / 60);
  const seconds = String(leftS % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** A timestamp in the reader's own time zone, to the second. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

/** The first characters of a long text, marked as cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The tool input preview made readable: pretty JSON when it is whole JSON, else as it came. */
export function prettyPreview(preview: string): string {
  const parsed = parseObject(preview);
  return parsed ? JSON.stringify(parsed, null, 2) : preview;
}

/** The preview as a JSON object, when it is one (a long input's preview is cut and is not). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
