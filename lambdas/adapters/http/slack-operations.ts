import { EmptyBodySchema, EmptyQuerySchema, SlackLinkBodySchema } from "../../../contracts/api";
import type { ControlPlaneDeps } from "../../core/control-plane/deps";
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from "../../core/errors";
import type { Principal } from "../../core/principal";
import { parseCommand, parseInteraction } from "../../core/slack/payloads";
import type { SlackInboundDeps } from "../../core/slack/ports";
import { verifySlackSignature } from "../../core/slack/signature";
import {
  handleCommand,
  handleInteraction,
  linkSlackAccount,
  unlinkSlackAccount,
} from "../../core/slack/slack-inbound";
import { type OperationRequest, type Operations, parseWith } from "./operation";

const ok = (body: unknown) => ({ status: 200 as const, body });

/**
 * The Slack doors of the control plane: the signed interaction and slash-command webhooks,
 * and the linking routes a human calls with their own credentials.
 */
export function slackOperations(
  deps: ControlPlaneDeps,
  slack: SlackInboundDeps,
): Required<Pick<Operations, "slackInteractions" | "slackCommands" | "linkSlack" | "unlinkSlack">> {
  return {
    slackInteractions: async (req) => {
      await requireSlackSignature(deps, slack, req);
      const interaction = parseInteraction(req.rawBody ?? "");
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

    slackCommands: async (req) => {
      await requireSlackSignature(deps, slack, req);
      const text = await handleCommand(deps, slack, parseCommand(req.rawBody ?? ""));
      return ok({ response_type: "ephemeral", text });
    },

    linkSlack: async (req) => {
      const { code } = parseWith(SlackLinkBodySchema, req.body, "body");
      return ok(await linkSlackAccount(deps, slack, human(req), code));
    },

    unlinkSlack: async (req) => {
      parseWith(EmptyBodySchema, req.body, "body");
      parseWith(EmptyQuerySchema, req.query, "query");
      return ok(await unlinkSlackAccount(slack, human(req)));
    },
  };
}

/**
 * Admits a request only with a valid Slack signature over its raw body, checked before
 * anything reads the body. Without a configured secret nothing is admitted (503): an
 * unsigned request must never be taken for Slack.
 */
async function requireSlackSignature(
  deps: ControlPlaneDeps,
  slack: SlackInboundDeps,
  req: OperationRequest,
): Promise<void> {
  const secret = await slack.signingSecret.get();
  if (secret === undefined)
    throw new ServiceUnavailableError(new Error("no Slack signing secret is configured"));
  const result = verifySlackSignature(
    secret,
    {
      timestamp: req.headers["x-slack-request-timestamp"],
      signature: req.headers["x-slack-signature"],
      rawBody: req.rawBody ?? "",
    },
    deps.clock.now(),
  );
  if (!result.ok) {
    throw new UnauthenticatedError(
      "The request is not signed by Slack: X-Slack-Signature must be a valid v0 signature and X-Slack-Request-Timestamp within 5 minutes.",
    );
  }
}

function human(req: OperationRequest): Principal & { kind: "human" } {
  const p = req.principal;
  if (!p) throw new UnauthenticatedError("Send credentials: a Cognito token for humans.");
  if (p.kind !== "human") throw new ForbiddenError("This route is for humans.");
  return p;
}
