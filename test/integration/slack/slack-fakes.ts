import type { ModalOpener, ResponsePoster } from "../../../lambdas/core/slack/ports";
import { signSlackRequest } from "../../../lambdas/core/slack/signature";
import type { Harness } from "../../support/control-plane-harness";
import { TEST_SLACK_SIGNING_SECRET } from "../../support/control-plane-harness";

/** A Slack workspace and user, as Slack names them in payloads. */
export interface SlackPerson {
  readonly team: string;
  readonly user: string;
}

/** Records what the control plane sent back to Slack instead of calling it. */
export function fakeSlack() {
  const posts: { url: string; text: string }[] = [];
  const modals: { triggerId: string; privateMetadata: string }[] = [];
  const responses: ResponsePoster = {
    post: async (url, message) => {
      posts.push({ url, text: message.text });
    },
  };
  const state = { modalsFail: false };
  const opener: ModalOpener = {
    openDenyModal: async (triggerId, privateMetadata) => {
      if (state.modalsFail) throw new Error("views.open failed");
      modals.push({ triggerId, privateMetadata });
    },
  };
  return { posts, modals, state, deps: { responses, modals: opener } };
}

/** Posts a form body to a Slack route, signed as Slack would sign it at the harness's time. */
export async function postSigned(
  h: Harness,
  path: string,
  rawBody: string,
  options: { secret?: string; timestamp?: number; signature?: string } = {},
) {
  const timestamp = String(options.timestamp ?? Math.floor(h.clock.now().getTime() / 1000));
  const signature =
    options.signature ?? signSlackRequest(options.secret ?? TEST_SLACK_SIGNING_SECRET, timestamp, rawBody);
  const res = await fetch(`${h.plane.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body: rawBody,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The form body of a block action, as Slack posts it. */
export function blockAction(
  who: SlackPerson,
  action: Record<string, unknown>,
  responseUrl = "https://hooks.slack.com/actions/T/1/x",
) {
  const payload = {
    type: "block_actions",
    team: { id: who.team },
    user: { id: who.user },
    trigger_id: "trigger-1",
    response_url: responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of a deny modal submission. */
export function denySubmission(who: SlackPerson, privateMetadata: string, reason?: string) {
  const payload = {
    type: "view_submission",
    team: { id: who.team },
    user: { id: who.user, team_id: who.team },
    view: {
      callback_id: "gates_deny",
      private_metadata: privateMetadata,
      state: { values: { reason: { reason_input: { type: "plain_text_input", value: reason ?? null } } } },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of `/gates <text>`. */
export function slashCommand(who: SlackPerson, text: string) {
  return new URLSearchParams({
    command: "/gates",
    text,
    team_id: who.team,
    user_id: who.user,
    response_url: "https://hooks.slack.com/commands/T/1/x",
  }).toString();
}

/** Runs `/gates link` in Slack and returns the code it shows, e.g. `ABCD-EFGH`. */
export async function linkCodeFor(h: Harness, who: SlackPerson): Promise<string> {
  const reply = await postSigned(h, "/v1/slack/commands", slashCommand(who, "link"));
  const code = /gates slack link ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(String(reply.body.text))?.[1];
  if (reply.status !== 200 || code === undefined) throw new Error(`no code: ${JSON.stringify(reply)}`);
  return code;
}

/** Links a Slack user to the human of `token` through the real flow. */
export async function link(h: Harness, who: SlackPerson, token: string): Promise<void> {
  const code = await linkCodeFor(h, who);
  const reply = await h.client.as(token).post("/v1/slack/link", { code });
  if (reply.status !== 200) throw new Error(`link failed: ${reply.status} ${JSON.stringify(reply.body)}`);
}
