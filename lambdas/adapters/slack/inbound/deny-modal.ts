import type { WebClient } from "@slack/web-api";
import { DENY_MODAL } from "../../../core/slack/payloads";
import type { ModalOpener, SecretSource } from "../../../core/slack/ports";

/** The deny modal: one optional free-text reason; the request rides in private_metadata. */
export function denyModalView(privateMetadata: string) {
  return {
    type: "modal" as const,
    callback_id: DENY_MODAL.callbackId,
    private_metadata: privateMetadata,
    title: { type: "plain_text" as const, text: "Deny request" },
    submit: { type: "plain_text" as const, text: "Deny" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      {
        type: "input" as const,
        block_id: DENY_MODAL.blockId,
        optional: true,
        label: { type: "plain_text" as const, text: "Reason (optional, shown to the agent)" },
        element: {
          type: "plain_text_input" as const,
          action_id: DENY_MODAL.actionId,
          multiline: true,
          max_length: 2000,
        },
      },
    ],
  };
}

/** Opens the deny modal through Slack's `views.open`, with the bot token the client carries. */
export function webApiModalOpener(client: WebClient): ModalOpener {
  return {
    async openDenyModal(triggerId, privateMetadata) {
      await client.views.open({ trigger_id: triggerId, view: denyModalView(privateMetadata) });
    },
  };
}

/**
 * A modal opener whose bot token is read on first use (from Secrets Manager in AWS), then kept
 * with its client for the life of the container.
 */
export function lazyModalOpener(token: SecretSource, makeClient: (token: string) => WebClient): ModalOpener {
  let client: WebClient | undefined;
  return {
    async openDenyModal(triggerId, privateMetadata) {
      if (!client) {
        const value = await token.get();
        if (!value) throw new Error("the Slack bot token secret is empty, so the deny modal cannot open");
        client = makeClient(value);
      }
      await webApiModalOpener(client).openDenyModal(triggerId, privateMetadata);
    },
  };
}

/** Without a bot token no modal can open; the click is answered with how to deny instead. */
export const noModals: ModalOpener = {
  async openDenyModal() {
    throw new Error("no Slack bot token is configured, so the deny modal cannot open");
  },
};
