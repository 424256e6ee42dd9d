/**
 * The values our Slack messages carry and the interactions endpoint reads back: action ids, block
 * ids, button values, the scope select's option values and the deny modal's metadata. Rendering and
 * parsing both use this module, so the two can never disagree.
 *
 * Slack caps an option value at 150 characters and a block id at 255, while a task id may be 128
 * characters and a tool name another 128. A request is therefore named on the actions block's id
 * (`<prefix>|<task_id>|<request_id>`, at most 169 characters), and an option carries only a short
 * scope choice, resolved against the stored request when it is clicked.
 */

/** The `action_id` of each control in a request message. */
export const ACTION_IDS = { approve: "approve", approveScope: "approve_scope", deny: "deny" } as const;

/** The block ids the messages use; the actions block's id also names its request. */
export const BLOCK_IDS = { actions: "gates_actions", outcome: "gates_outcome", cli: "gates_cli" } as const;

/** One approval request, as carried by a button value, a block id or the modal's private metadata. */
export interface RequestRef {
  readonly taskId: string;
  readonly requestId: string;
}

const SEPARATOR = "|";

/** `<task_id>|<request_id>`: the value of the Approve and Deny buttons and the deny modal's metadata. */
export function requestRefValue(ref: RequestRef): string {
  return `${ref.taskId}${SEPARATOR}${ref.requestId}`;
}

/** Reads {@link requestRefValue} back; undefined when it is not one (task ids never hold a `|`). */
export function readRequestRef(value: string): RequestRef | undefined {
  const [taskId, requestId, ...rest] = value.split(SEPARATOR);
  if (!taskId || !requestId || rest.length > 0) return undefined;
  return { taskId, requestId };
}

/** The id of a request's actions block: where the scope select finds its request. */
export function actionsBlockId(ref: RequestRef): string {
  return `${BLOCK_IDS.actions}${SEPARATOR}${requestRefValue(ref)}`;
}

/** Reads {@link actionsBlockId} back; undefined for any other block id. */
export function readActionsBlockId(blockId: string): RequestRef | undefined {
  const prefix = `${BLOCK_IDS.actions}${SEPARATOR}`;
  return blockId.startsWith(prefix) ? readRequestRef(blockId.slice(prefix.length)) : undefined;
}

/**
 * The scopes the select offers, as the short choices its option values carry. The scope itself is
 * made from the stored request when the choice is clicked, so no id or tool name rides in a value.
 */
export const SCOPE_CHOICES = {
  this_call: { label: "this call" },
  tool: { label: "this tool for the task" },
  rule: { label: "this rule for the task" },
} as const;

/** One of the select's choices. */
export type ScopeChoice = keyof typeof SCOPE_CHOICES;

/** Whether an option value is one of the select's choices. */
export function isScopeChoice(value: string): value is ScopeChoice {
  return Object.hasOwn(SCOPE_CHOICES, value);
}

/** What a scope choice is made from: the stored request's tool and first rule. */
export interface ScopeSource {
  readonly tool_name: string;
  readonly rule_ids: readonly string[];
}

/** The choices a request offers, in the select's order; `rule` only when a rule matched. */
export function scopeChoicesOf(source: ScopeSource): ScopeChoice[] {
  return source.rule_ids.length > 0 ? ["this_call", "tool", "rule"] : ["this_call", "tool"];
}

/** The scope a choice grants on a request, or undefined when the request does not offer it. */
export function scopeOfChoice(choice: ScopeChoice, source: ScopeSource): string | undefined {
  if (choice === "this_call") return "this_call";
  if (choice === "tool") return `tool:${source.tool_name}`;
  const firstRule = source.rule_ids[0];
  return firstRule === undefined ? undefined : `rule:${firstRule}`;
}
