import * as z from "zod/mini";
import { LIMITS } from "../../../contracts/api";
import { ValidationError } from "../errors";
import { pathDeeperThan } from "../json-depth";
import {
  ACTION_IDS,
  isScopeChoice,
  type RequestRef,
  readActionsBlockId,
  readRequestRef,
  type ScopeChoice,
} from "./wire";

export type { RequestRef } from "./wire";

/** The deny modal's ids, shared by the view we open and the submission we read back. */
export const DENY_MODAL = { callbackId: "gates_deny", blockId: "reason", actionId: "reason_input" } as const;

/** Who clicked, as Slack names them: a workspace and a user in it. */
export interface SlackUser {
  readonly teamId: string;
  readonly userId: string;
}

/** A Slack interaction reduced to what the control plane acts on. */
export type SlackInteraction =
  | (SlackUser & RequestRef & { kind: "approve"; scopeChoice?: ScopeChoice; responseUrl?: string })
  | (SlackUser & RequestRef & { kind: "deny_prompt"; triggerId: string; responseUrl?: string })
  | (SlackUser & RequestRef & { kind: "deny_submit"; reason?: string })
  | { kind: "ignored" };

/** A `/gates` slash command. */
export interface SlackCommand extends SlackUser {
  readonly subcommand: "link" | "pending" | "help";
  readonly responseUrl?: string;
}

const text = (max: number) => z.string().check(z.maxLength(max));
const Id = z.string().check(z.minLength(1), z.maxLength(64));
const Action = z.looseObject({
  action_id: z.string(),
  block_id: z.optional(text(255)),
  value: z.optional(text(2000)),
  selected_option: z.nullish(z.looseObject({ value: text(2000) })),
});
const BlockActions = z.looseObject({
  type: z.literal("block_actions"),
  team: z.looseObject({ id: Id }),
  user: z.looseObject({ id: Id }),
  trigger_id: z.optional(text(200)),
  response_url: z.optional(z.url()),
  actions: z.array(Action).check(z.maxLength(10)),
});
const ViewSubmission = z.looseObject({
  type: z.literal("view_submission"),
  team: z.nullish(z.looseObject({ id: Id })),
  user: z.looseObject({ id: Id, team_id: z.optional(Id) }),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: text(3000),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.nullish(z.string()) }))),
    }),
  }),
});
const Envelope = z.looseObject({ type: z.string() });

/**
 * Reads the `payload` field of an interaction's form body. Actions and views we do not own
 * are `ignored` rather than refused, so Slack sees a 200 and shows no error to the user.
 */
export function parseInteraction(rawBody: string): SlackInteraction {
  const payload = new URLSearchParams(rawBody).get("payload");
  if (payload === null) throw invalid("payload", "required; Slack sends interactions as payload=<json>");
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw invalid("payload", "must be JSON");
  }
  if (pathDeeperThan(json, LIMITS.maxJsonDepth) !== undefined)
    throw invalid("payload", `must not nest more than ${LIMITS.maxJsonDepth} levels deep`);
  const type = Envelope.safeParse(json);
  if (type.success && type.data.type === "block_actions") return blockAction(parse(BlockActions, json));
  if (type.success && type.data.type === "view_submission")
    return viewSubmission(parse(ViewSubmission, json));
  return { kind: "ignored" };
}

function blockAction(payload: z.infer<typeof BlockActions>): SlackInteraction {
  const action = payload.actions[0];
  const user = { teamId: payload.team.id, userId: payload.user.id };
  const responseUrl = payload.response_url ? { responseUrl: payload.response_url } : {};
  if (action?.action_id === ACTION_IDS.approve && action.value) {
    return { kind: "approve", ...user, ...requestRef(action.value), ...responseUrl };
  }
  if (action?.action_id === ACTION_IDS.approveScope && action.selected_option) {
    // The select names its request on its block and carries only a short choice (Slack's 150-character cap).
    const ref = readActionsBlockId(action.block_id ?? "");
    if (ref === undefined)
      throw invalid("block_id", "must name the request: gates_actions|<task_id>|<request_id>");
    const choice = action.selected_option.value;
    if (!isScopeChoice(choice)) throw invalid("selected_option.value", "must be this_call, tool or rule");
    return { kind: "approve", ...user, ...ref, scopeChoice: choice, ...responseUrl };
  }
  if (action?.action_id === ACTION_IDS.deny && action.value && payload.trigger_id) {
    return {
      kind: "deny_prompt",
      ...user,
      ...requestRef(action.value),
      triggerId: payload.trigger_id,
      ...responseUrl,
    };
  }
  return { kind: "ignored" };
}

function viewSubmission(payload: z.infer<typeof ViewSubmission>): SlackInteraction {
  if (payload.view.callback_id !== DENY_MODAL.callbackId) return { kind: "ignored" };
  const teamId = payload.team?.id ?? payload.user.team_id;
  if (!teamId) throw invalid("team", "required");
  const reason = payload.view.state.values[DENY_MODAL.blockId]?.[DENY_MODAL.actionId]?.value?.trim();
  return {
    kind: "deny_submit",
    teamId,
    userId: payload.user.id,
    ...requestRef(payload.view.private_metadata),
    ...(reason ? { reason } : {}),
  };
}

const CommandForm = z.looseObject({
  team_id: Id,
  user_id: Id,
  text: z.optional(text(2000)),
  response_url: z.optional(z.url()),
});

/** Reads a slash command's form fields; anything but `link` or `pending` is a request for help. */
export function parseCommand(rawBody: string): SlackCommand {
  const form = parse(CommandForm, Object.fromEntries(new URLSearchParams(rawBody)));
  const word = (form.text ?? "").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  const subcommand = word === "link" || word === "pending" ? word : "help";
  return {
    teamId: form.team_id,
    userId: form.user_id,
    subcommand,
    ...(form.response_url ? { responseUrl: form.response_url } : {}),
  };
}

/** `<task_id>|<request_id>`, the value our buttons and modal carry. */
export function requestRef(value: string): RequestRef {
  const ref = readRequestRef(value);
  if (ref === undefined) throw invalid("value", "must be <task_id>|<request_id>");
  return ref;
}

function parse<T>(schema: z.core.$ZodType<T>, value: unknown): T {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalid(issue?.path.join(".") || "payload", issue?.message ?? "is invalid");
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`The Slack payload is invalid: ${field} ${message}.`, [{ field, message }]);
}
