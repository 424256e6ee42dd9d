import * as z from "zod/mini";
import type { ApprovalRecord } from "../../../core/records";
import {
  ChannelFailure,
  type ChannelLogger,
  type DeliveryResult,
  type DeliveryStore,
  type NotificationChannel,
} from "../../channels/channel";
import type { SlackUserDirectory } from "../../dynamo/slack-user-directory";
import { renderApprovalMessage } from "./approval-message";
import { classifySlackError } from "./slack-errors";
import type { SlackMessageApi, SlackMessageRef } from "./slack-web-api";

/** The Slack channel's name: its state's key on a request, and its entry in `notify_channels`. */
export const SLACK_CHANNEL_NAME = "slack";

/** What the Slack channel talks to. */
export interface SlackChannelDeps {
  readonly slack: SlackMessageApi;
  readonly store: DeliveryStore;
  readonly users: SlackUserDirectory;
  /** @default silent */
  readonly logger?: ChannelLogger;
}

/** The state the Slack channel records on a request: where its message is. */
const MessageRefSchema = z.object({ channel: z.string(), ts: z.string() });

/** Runs one Slack call, turning its failure into a terminal or a retryable {@link ChannelFailure}. */
async function callSlack<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = classifySlackError(error);
    throw new ChannelFailure(failure.kind, failure.reason, { cause: error });
  }
}

/**
 * Slack as a notification channel: a request is posted once, each vote and the decision update that
 * message in place. The stream may deliver an event again at any time (a failed record, the records
 * after it, a replay from the dead-letter queue), so every step checks what is already done:
 *
 * - a request event whose request already holds a message reference is skipped;
 * - otherwise the channel's recent messages are searched for one carrying the request's metadata, which
 *   finds a message posted by an attempt that failed before it could record it;
 * - the message is always rendered from the request as stored now, so a request decided before it was
 *   posted is posted in its final, button-less state, and a decision with no message yet posts one.
 */
export function slackChannel(deps: SlackChannelDeps): NotificationChannel {
  const { store, slack, users, logger } = deps;

  const sync = async (
    approval: ApprovalRecord,
    recorded: SlackMessageRef | undefined,
    requested: boolean,
  ): Promise<DeliveryResult> => {
    const { task_id, request_id } = approval;
    let ref = recorded;
    let foundEarlierPost = false;
    if (ref === undefined) {
      ref = await callSlack(() => slack.findRequestMessage(task_id, request_id));
      if (ref !== undefined) {
        foundEarlierPost = true;
        await store.recordOnce(task_id, request_id, SLACK_CHANNEL_NAME, ref);
      }
    }
    const people = [
      ...new Set([
        ...approval.approvers,
        ...(approval.votes ?? []).map((v) => v.by),
        ...(approval.decided_by ? [approval.decided_by] : []),
      ]),
    ];
    const message = renderApprovalMessage(approval, await users.slackUsersOf(people));
    if (ref === undefined) {
      const posted = await callSlack(() => slack.post(message));
      const outcome = await store.recordOnce(task_id, request_id, SLACK_CHANNEL_NAME, posted);
      if (outcome !== "recorded")
        logger?.warn("slack message posted but not recorded", { task_id, request_id, outcome });
      return "posted";
    }
    // An earlier attempt posted this request while it was pending, which is what it still shows.
    if (requested && foundEarlierPost && approval.status === "PENDING") return "skipped_duplicate";
    const existing = ref;
    await callSlack(() => slack.update(existing, message));
    return "updated";
  };

  return {
    name: SLACK_CHANNEL_NAME,
    kind: "slack",
    async deliver({ event, approval, state }) {
      const parsed = MessageRefSchema.safeParse(state);
      const recorded = parsed.success ? { channel: parsed.data.channel, ts: parsed.data.ts } : undefined;
      const requested = event.type === "approval.requested";
      if (requested && recorded !== undefined) return "skipped_duplicate";
      return sync(approval, recorded, requested);
    },
  };
}
