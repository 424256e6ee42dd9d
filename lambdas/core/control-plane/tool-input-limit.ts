import { LIMITS } from "../../../contracts/api";
import { PayloadTooLargeError } from "../errors";

/**
 * Refuses a tool input over the contract's size limit as JSON (413), before anything evaluates it.
 * Wherever a tool call is judged, for real or as a dry run, the same limit holds.
 */
export function requireToolInputWithinLimit(toolInput: Readonly<Record<string, unknown>>): void {
  const size = Buffer.byteLength(JSON.stringify(toolInput), "utf8");
  if (size > LIMITS.maxToolInputBytes) {
    throw new PayloadTooLargeError(
      `tool_input is ${size} bytes as JSON; the limit is ${LIMITS.maxToolInputBytes}. Send a smaller input.`,
    );
  }
}
