import * as inputs from "../../../contracts/inputs";
import type { ControlPlaneDeps, DecisionDeps } from "../../core/control-plane/deps";
import { ServiceUnavailableError, UnauthenticatedError } from "../../core/errors";
import { parseCommand, parseInteraction } from "../../core/slack/payloads";
import type { SlackInboundDeps } from "../../core/slack/ports";
import { verifySlackSignature } from "../../core/slack/signature";
import {
  handleCommand,
  handleInteraction,
  linkSlackAccount,
  unlinkSlackAccount,
} from "../../core/slack/slack-inbound";
import { type OperationRequest, type OperationsOf, ok } from "./operation";

/** The signed interaction and slash-command webhooks Slack itself calls. */
export function slackWebhookOperations(
  deps: DecisionDeps,
  slack: SlackInboundDeps,
): OperationsOf<"slackInteractions" | "slackCommands"> {
  return {
    slackInteractions: {
      input: inputs.slackInteractions,
      handle: async (req) => {
        await requireSlackSignature(deps, slack, req);
        const interaction = parseInteraction(req.rawBody);
        const outcome = await handleInteraction(deps, slack, interaction);
        if (interaction.kind === "deny_submit") {
          // A modal shows a refusal on its own field; a success closes it.
          return ok(
            outcome.done || outcome.text === undefined
              ? { response_action: "clear" }
              : { response_action: "errors", errors: { reason: outcome.text } },
          );
        }
        if (outcome.text !== undefined && "responseUrl" in interaction && interaction.responseUrl) {
          await slack.responses.post(interaction.responseUrl, { text: outcome.text });
        }
        // Slack ignores the body of a block action's answer; it only needs the 200.
        return ok({});
      },
    },

    slackCommands: {
      input: inputs.slackCommands,
      handle: async (req) => {
        await requireSlackSignature(deps, slack, req);
        const text = await handleCommand(deps, slack, parseCommand(req.rawBody));
        return ok({ response_type: "ephemeral", text });
      },
    },
  };
}

/** The linking routes a human calls with their own credentials; they need the link store and nothing of Slack's API. */
export function slackLinkOperations(
  deps: ControlPlaneDeps,
  slack: Pick<SlackInboundDeps, "links">,
): OperationsOf<"linkSlack" | "unlinkSlack"> {
  return {
    linkSlack: {
      input: inputs.linkSlack,
      handle: async ({ principal, body }) => ok(await linkSlackAccount(deps, slack, principal, body.code)),
    },
    unlinkSlack: {
      input: inputs.unlinkSlack,
      handle: async ({ principal }) => ok(await unlinkSlackAccount(slack, principal)),
    },
  };
}

/**
 * The Slack doors of the control plane: the signed webhooks and the linking routes, as one
 * process that serves every route (local mode) mounts them.
 */
export function slackOperations(
  deps: DecisionDeps,
  slack: SlackInboundDeps,
): OperationsOf<"slackInteractions" | "slackCommands" | "linkSlack" | "unlinkSlack"> {
  return { ...slackWebhookOperations(deps, slack), ...slackLinkOperations(deps, slack) };
}

/**
 * Admits a request only with a valid Slack signature over its raw body, checked before
 * anything reads the body. Without a configured secret nothing is admitted (503): an
 * unsigned request must never be taken for Slack.
 */
async function requireSlackSignature(
  deps: ControlPlaneDeps,
  slack: SlackInboundDeps,
  req: Pick<OperationRequest, "headers" | "rawBody">,
): Promise<void> {
  const secret = await slack.signingSecret.get();
  if (secret === undefined)
    throw new ServiceUnavailableError(new Error("no Slack signing secret is configured"));
  const result = verifySlackSignature(
    secret,
    {
      timestamp: req.headers["x-slack-request-timestamp"],
      signature: req.headers["x-slack-signature"],
      rawBody: req.rawBody,
    },
    deps.clock.now(),
  );
  if (!result.ok) {
    throw new UnauthenticatedError(
      "The request is not signed by Slack: X-Slack-Signature must be a valid v0 signature and X-Slack-Request-Timestamp within 5 minutes.",
    );
  }
}
