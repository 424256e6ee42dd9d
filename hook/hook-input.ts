/**
 * What Claude Code sends a PreToolUse command hook on stdin (its hooks reference, "PreToolUse
 * input"): the common fields plus the tool call. Only what the hook uses is read; anything
 * missing or of the wrong type makes the payload unusable, and the call is denied.
 */
export interface PreToolUseInput {
  readonly session_id: string;
  readonly tool_name: string;
  readonly tool_input: Record<string, unknown>;
  readonly tool_use_id?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The payload, or a sentence saying why it is not a PreToolUse event. */
export function parseHookInput(stdin: string): PreToolUseInput | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(stdin);
  } catch {
    return { problem: "the hook input is not JSON" };
  }
  if (!isRecord(value)) return { problem: "the hook input is not a JSON object" };
  if (value.hook_event_name !== undefined && value.hook_event_name !== "PreToolUse")
    return { problem: `the hook ran for ${String(value.hook_event_name).slice(0, 40)}, not PreToolUse` };
  const { session_id, tool_name, tool_input, tool_use_id } = value;
  if (typeof session_id !== "string" || session_id === "")
    return { problem: "the hook input has no session_id" };
  if (typeof tool_name !== "string" || tool_name === "" || tool_name.length > 128)
    return { problem: "the hook input has no usable tool_name" };
  if (!isRecord(tool_input)) return { problem: "the hook input's tool_input is not an object" };
  return {
    session_id,
    tool_name,
    tool_input,
    ...(typeof tool_use_id === "string" && tool_use_id !== ""
      ? { tool_use_id: tool_use_id.slice(0, 256) }
      : {}),
  };
}
