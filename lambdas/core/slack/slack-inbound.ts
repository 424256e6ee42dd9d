import { CRITICAL_NOT_VIA_SLACK, decideApproval, requireDecidable } from "../control-plane/approvals";
import type { ControlPlaneDeps, DecisionDeps } from "../control-plane/deps";
import { listPending } from "../control-plane/pending";
import {
  GatesError,
  RateLimitedError,
  RequestAlreadyDecidedError,
  RequestNotFoundError,
  SlackAlreadyLinkedError,
  TaskNotFoundError,
  ValidationError,
} from "../errors";
import type { Principal } from "../principal";
import type { ApprovalRecord } from "../records";
import { displayLinkCode, LINK_CODE_TTL_S, newLinkCode, normalizeLinkCode } from "./link-code";
import type { RequestRef, SlackCommand, SlackInteraction } from "./payloads";
import type { SlackInboundDeps } from "./ports";
import { requestRefValue, type ScopeChoice, scopeOfChoice } from "./wire";

/** What to tell the clicking user, and whether the click changed anything. */
export interface InteractionOutcome {
  readonly done: boolean;
  readonly text?: string;
}

/** Link attempts per human per hour, so 40-bit codes cannot be guessed online. */
export const LINK_ATTEMPTS_PER_HOUR = 10;

/** What the clicking user is told when Slack may not act for them. */
export const REPLIES = {
  unlinked: "Your Slack account is not linked to Approval Gates yet; link your account: `/gates link`.",
  notApprover:
    "You are not an approver of this task, so you cannot decide this request. (If you approve through an identity group, decide with `gates approve` or REST: Slack cannot see groups.)",
  critical: CRITICAL_NOT_VIA_SLACK,
  alreadyLinked:
    "This Slack account is already linked to Approval Gates; to link it to someone else, unlink first (DELETE /v1/slack/link).",
  choiceNotOffered: "This request does not offer that scope; nothing changed.",
  help: "`/gates link` links your Slack account, `/gates pending` lists what waits for you, `/gates help` shows this.",
} as const;

/**
 * A button click or modal submit: the Slack user becomes a linked human, and the request is
 * decided through the same use case as REST, with `via: "slack"`, which also refuses what
 * Slack may not decide (a critical request). The deny button only opens a dialog, once the
 * same checks pass. Refusals come back as text for the user, never as HTTP errors, so Slack
 * shows the reason instead of a generic failure.
 */
export async function handleInteraction(
  deps: DecisionDeps,
  slack: SlackInboundDeps,
  interaction: SlackInteraction,
): Promise<InteractionOutcome> {
  if (interaction.kind === "ignored") return { done: false };
  const humanId = await slack.links.humanOf(interaction);
  if (humanId === undefined) return { done: false, text: REPLIES.unlinked };
  // Slack carries no identity groups: members of approver groups decide with the CLI or REST.
  const human: Principal = { kind: "human", id: humanId, admin: false };
  const { taskId, requestId } = interaction;

  if (interaction.kind === "deny_prompt") {
    try {
      await requireDecidable(deps, human, taskId, requestId, "slack");
    } catch (err) {
      return { done: false, text: refusalFor(err) };
    }
    try {
      await slack.modals.openDenyModal(interaction.triggerId, requestRefValue(interaction));
      return { done: false };
    } catch {
      // Without the modal the user still has a way to deny; the request stays as it was.
      return { done: false, text: denyByCli(interaction) };
    }
  }
  const choice = interaction.kind === "approve" ? interaction.scopeChoice : undefined;
  try {
    const view = await decideApproval(deps, human, taskId, {
      requestId,
      via: "slack",
      ...(interaction.kind === "approve"
        ? {
            outcome: "APPROVED" as const,
            // The select's choice is made into a scope from the request as stored, never from the click.
            ...(choice !== undefined
              ? { scopeOf: (approval: ApprovalRecord) => scopeOf(choice, approval) }
              : {}),
          }
        : { outcome: "DENIED" as const, ...(interaction.reason ? { reason: interaction.reason } : {}) }),
    });
    const how = view.status === "APPROVED" ? `Approved (scope ${view.scope ?? "this_call"})` : "Denied";
    return { done: true, text: `${how}: ${view.tool_name} on task ${view.task_id}.` };
  } catch (err) {
    return { done: false, text: refusalFor(err) };
  }
}

/** The scope a choice of the select names on this request; a choice it does not offer is refused. */
function scopeOf(choice: ScopeChoice, approval: ApprovalRecord): string {
  const scope = scopeOfChoice(choice, approval);
  if (scope === undefined) throw new ValidationError(REPLIES.choiceNotOffered);
  return scope;
}

function refusalFor(err: unknown): string {
  if (err instanceof TaskNotFoundError || err instanceof RequestNotFoundError) return REPLIES.notApprover;
  if (err instanceof RequestAlreadyDecidedError) return alreadyDecided(err.status);
  if (err instanceof RateLimitedError || err instanceof ValidationError) return err.message;
  // Other 4xx reasons (a task no longer active) are safe to show; anything else is ours to log.
  if (err instanceof GatesError && err.code !== "SERVICE_UNAVAILABLE" && err.code !== "INTERNAL_ERROR") {
    return err.message;
  }
  throw err;
}

function denyByCli(ref: RequestRef): string {
  return `The deny dialog could not open; deny with \`gates deny ${ref.taskId} ${ref.requestId} --reason "…"\`.`;
}

function alreadyDecided(status: string): string {
  return `This request is already ${status}; nothing changed.`;
}

/**
 * `/gates link` makes a one-time code, `/gates pending` lists the linked human's pending
 * requests, anything else explains the command. The answer is ephemeral text.
 */
export async function handleCommand(
  deps: ControlPlaneDeps,
  slack: SlackInboundDeps,
  command: SlackCommand,
): Promise<string> {
  if (command.subcommand === "link") {
    if ((await slack.links.humanOf(command)) !== undefined) return REPLIES.alreadyLinked;
    const code = newLinkCode(slack.randomBytes);
    const expiresAt = new Date(deps.clock.now().getTime() + LINK_CODE_TTL_S * 1000);
    await slack.links.putCode({ code, teamId: command.teamId, userId: command.userId, expiresAt });
    return `Run \`gates slack link ${displayLinkCode(code)}\` within ${LINK_CODE_TTL_S / 60} minutes to link this Slack account. The code works once.`;
  }
  if (command.subcommand === "pending") {
    const humanId = await slack.links.humanOf(command);
    if (humanId === undefined) return REPLIES.unlinked;
    const page = await listPending(deps, { kind: "human", id: humanId, admin: false }, { limit: 10 });
    if (page.items.length === 0) return "Nothing waits for your approval.";
    const lines = page.items.map(
      (i) =>
        `• ${i.tool_name} on task ${i.task_id} (request ${i.request_id}, ${i.severity}, until ${i.expires_at})`,
    );
    return [`${page.items.length} request(s) wait for you:`, ...lines].join("\n");
  }
  return REPLIES.help;
}

/**
 * An authenticated human binds a code from `/gates link`. Only failed attempts count against an
 * hourly limit (a human links rarely, an attacker guessing codes often). The count is taken with
 * the attempt, in one atomic update, before the code is looked up: past the limit even a right
 * guess learns nothing, and however many guesses arrive at once, at most the limit are checked.
 * A right code gives its count back.
 */
export async function linkSlackAccount(
  deps: ControlPlaneDeps,
  slack: Pick<SlackInboundDeps, "links">,
  human: Principal & { kind: "human" },
  typedCode: string,
): Promise<{ linked: true; slack_team_id: string; slack_user_id: string }> {
  const now = deps.clock.now();
  const limitKey = `slack-link#${human.id}`;
  const limit = await deps.rateLimiter.hit(limitKey, LINK_ATTEMPTS_PER_HOUR, 3600, now);
  if (!limit.allowed) throw new RateLimitedError("failed Slack link attempts", limit.retryAfterS);
  const code = normalizeLinkCode(typedCode);
  const found = code === undefined ? undefined : await slack.links.getCode(code, now);
  const result = found === undefined ? "no_code" : await slack.links.bind(found, human.id, now);
  // A right code is no failed attempt, whether it linked or found the Slack account linked already.
  if (result !== "no_code") await deps.rateLimiter.refund(limitKey, 3600, now);
  if (result === "linked" && found !== undefined) {
    return { linked: true, slack_team_id: found.teamId, slack_user_id: found.userId };
  }
  if (result === "already_linked") {
    throw new SlackAlreadyLinkedError(
      "That Slack account is already linked; unlink first (DELETE /v1/slack/link), then link again.",
    );
  }
  const message = "no such code, or it expired or was used; run /gates link in Slack for a new one";
  throw new ValidationError(`The link code is not valid: ${message}.`, [{ field: "code", message }]);
}

/** Removes the caller's Slack links; unlinking when there is none is not an error. */
export async function unlinkSlackAccount(
  slack: Pick<SlackInboundDeps, "links">,
  human: Principal & { kind: "human" },
): Promise<{ unlinked: number }> {
  return { unlinked: await slack.links.unlinkHuman(human.id) };
}
