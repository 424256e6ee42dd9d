import { canonicalJson } from "../canonical-json";
import type { ToolCallFacts } from "../scopes";
import { wellFormed } from "../well-formed";

/** A JSON value Cedar accepts in a context: no nulls, no floats, no escape-looking keys. */
export type CedarValue = string | number | boolean | CedarValue[] | { [key: string]: CedarValue };

export interface EntityRef {
  readonly type: string;
  readonly id: string;
}

/** One authorization request, in the shape cedar-wasm takes (entities are always empty). */
export interface CedarRequest {
  readonly principal: EntityRef;
  readonly action: EntityRef;
  readonly resource: EntityRef;
  readonly context: Record<string, CedarValue>;
}

/** The facts about a task that policies may look at. */
export interface TaskFacts {
  readonly agent_id: string;
  readonly repo: string;
  readonly owner: string;
  readonly read_only: boolean;
}

export interface ToolCall {
  readonly tool_name: string;
  readonly tool_input: Readonly<Record<string, unknown>>;
}

/** Depth of `context.input`; deeper values are kept as their JSON text so rules can still `like` them. */
export const MAX_INPUT_DEPTH = 8;

/** Cedar's JSON reads objects with these keys as entity or extension escapes, so user keys must not use them. */
const CEDAR_ESCAPE_KEYS = new Set(["__entity", "__extn", "__expr"]);

/**
 * Converts arbitrary JSON into a value Cedar's context parser accepts, without throwing:
 * non-integer or unsafe numbers become strings, nulls are dropped, lone surrogates are
 * replaced, escape-looking keys get a leading underscore, and anything nested deeper than
 * `MAX_INPUT_DEPTH` becomes its canonical JSON text. Returns undefined for values to drop.
 */
export function toCedarSafe(value: unknown, depth = 1): CedarValue | undefined {
  switch (typeof value) {
    case "string":
      return wellFormed(value);
    case "boolean":
      return value;
    case "number":
      return Number.isSafeInteger(value) ? value : String(value);
    case "object": {
      if (value === null) return undefined;
      if (depth > MAX_INPUT_DEPTH) return deepValueAsText(value);
      if (Array.isArray(value)) {
        const items: CedarValue[] = [];
        for (const item of value) {
          const safe = toCedarSafe(item, depth + 1);
          if (safe !== undefined) items.push(safe);
        }
        return items;
      }
      // A null-prototype object so a "__proto__" key is stored as data, not as a prototype.
      const record: { [key: string]: CedarValue } = Object.create(null);
      for (const [key, item] of Object.entries(value)) {
        const safe = toCedarSafe(item, depth + 1);
        if (safe === undefined) continue;
        const safeKey = wellFormed(key);
        record[CEDAR_ESCAPE_KEYS.has(safeKey) ? `_${safeKey}` : safeKey] = safe;
      }
      return record;
    }
    default:
      // undefined, functions, symbols and bigints never come from JSON; drop them.
      return undefined;
  }
}

function deepValueAsText(value: object): string {
  try {
    return wellFormed(canonicalJson(value));
  } catch {
    return "[unrepresentable]";
  }
}

/** The string at `key` of the input, when it is one. */
function stringField(input: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = Object.hasOwn(input, key) ? input[key] : undefined;
  return typeof value === "string" ? wellFormed(value) : undefined;
}

/** The fields of a tool call that rules and scopes look at by name. */
export function toolCallFacts(call: ToolCall): ToolCallFacts & { url?: string } {
  const input = call.tool_input;
  const command = stringField(input, "command");
  const filePath =
    stringField(input, "file_path") ?? stringField(input, "path") ?? stringField(input, "notebook_path");
  const url = stringField(input, "url");
  return {
    toolName: call.tool_name,
    ...(command !== undefined ? { command } : {}),
    ...(filePath !== undefined ? { filePath } : {}),
    ...(url !== undefined ? { url } : {}),
  };
}

/** Builds the one Cedar request every tool call is judged by. */
export function buildCedarRequest(
  task: TaskFacts,
  call: ToolCall,
  facts = toolCallFacts(call),
): CedarRequest {
  const context: Record<string, CedarValue> = {
    tool: wellFormed(call.tool_name),
    task: { repo: wellFormed(task.repo), owner: wellFormed(task.owner), read_only: task.read_only },
    input: toCedarSafe(call.tool_input) ?? {},
  };
  if (facts.command !== undefined) {
    context.command = facts.command;
    context.command_lower = facts.command.toLowerCase();
  }
  if (facts.filePath !== undefined) context.file_path = facts.filePath;
  if (facts.url !== undefined) context.url = facts.url;

  return {
    principal: { type: "Gates::Agent", id: wellFormed(task.agent_id) },
    action: { type: "Gates::Action", id: "invoke_tool" },
    resource: { type: "Gates::Tool", id: wellFormed(call.tool_name) },
    context,
  };
}
