import type { WebClient } from "@slack/web-api";
import { type ApprovalMessage, REQUEST_METADATA_TYPE } from "./approval-message";

/** Where a request's Slack message lives: enough to update it in place. */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** The three Slack calls the Slack channel makes, in one conversation; a port so the logic can be tested with a fake. */
export interface SlackMessageApi {
  /** Posts a new message and returns where it landed. */
  post(message: ApprovalMessage): Promise<SlackMessageRef>;
  /** Replaces a posted message's text and blocks. */
  update(ref: SlackMessageRef, message: ApprovalMessage): Promise<void>;
  /** The message already posted for a request, found by its metadata among the channel's recent messages. */
  findRequestMessage(taskId: string, requestId: string): Promise<SlackMessageRef | undefined>;
}

/** Options of {@link webApiMessages}. */
export interface WebApiMessagesOptions {
  /** The channel id (`C…`) requests are posted to. */
  readonly channel: string;
  /** How many recent messages the dedup lookup reads. @default 200 */
  readonly historyLimit?: number;
}

/** The Slack channel's calls on `@slack/web-api`. */
export function webApiMessages(client: WebClient, options: WebApiMessagesOptions): SlackMessageApi {
  const { channel } = options;
  return {
    async post(message) {
      const out = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: message.metadata,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!out.ts) throw new Error("chat.postMessage answered without a message ts");
      // Slack answers with the channel id even when posted to by name; chat.update needs the id.
      return { channel: out.channel ?? channel, ts: out.ts };
    },
    async update(ref, message) {
      await client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
      });
    },
    async findRequestMessage(taskId, requestId) {
      const out = await client.conversations.history({
        channel,
        limit: options.historyLimit ?? 200,
        include_all_metadata: true,
      });
      for (const m of out.messages ?? []) {
        if (m.ts && isRequestMetadata(m.metadata, taskId, requestId)) return { channel, ts: m.ts };
      }
      return undefined;
    },
  };
}

function isRequestMetadata(metadata: unknown, taskId: string, requestId: string): boolean {
  if (typeof metadata !== "object" || metadata === null) return false;
  const { event_type, event_payload } = metadata as Record<string, unknown>;
  if (event_type !== REQUEST_METADATA_TYPE || typeof event_payload !== "object" || event_payload === null)
    return false;
  const payload = event_payload as Record<string, unknown>;
  return payload.task_id === taskId && payload.request_id === requestId;
}
