import { ValidationError } from "../../lambdas/core/errors";
import { parseCommand, parseInteraction, requestRef } from "../../lambdas/core/slack/payloads";

const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const click = (action: Record<string, unknown>) =>
  form({
    type: "block_actions",
    team: { id: "T1" },
    user: { id: "U1" },
    trigger_id: "tr",
    response_url: "https://hooks.slack.com/a",
    actions: [action],
  });

describe("parseInteraction", () => {
  it.each([
    [
      "an Approve button",
      click({ action_id: "approve", value: "t1|R1" }),
      { kind: "approve", teamId: "T1", userId: "U1", taskId: "t1", requestId: "R1" },
    ],
    [
      "a scope choice, its request named by the block",
      click({
        action_id: "approve_scope",
        block_id: "gates_actions|t1|R1",
        selected_option: { value: "tool" },
      }),
      { kind: "approve", taskId: "t1", requestId: "R1", scopeChoice: "tool" },
    ],
    ["a Deny button", click({ action_id: "deny", value: "t1|R1" }), { kind: "deny_prompt", triggerId: "tr" }],
    ["an action we do not own", click({ action_id: "other", value: "x" }), { kind: "ignored" }],
    ["another interaction type", form({ type: "shortcut" }), { kind: "ignored" }],
    [
      "the deny modal",
      form({
        type: "view_submission",
        user: { id: "U1", team_id: "T1" },
        view: {
          callback_id: "gates_deny",
          private_metadata: "t1|R1",
          state: { values: { reason: { reason_input: { value: "  not now " } } } },
        },
      }),
      { kind: "deny_submit", teamId: "T1", userId: "U1", taskId: "t1", requestId: "R1", reason: "not now" },
    ],
  ])("reads %s", (_name, body, expected) => {
    expect(parseInteraction(body)).toMatchObject(expected);
  });

  it.each([
    ["no payload", "x=1"],
    ["a payload that is not JSON", "payload=%7B"],
    ["a button without a task", click({ action_id: "approve", value: "R1" })],
    [
      "a scope choice that is not one of the select's",
      click({
        action_id: "approve_scope",
        block_id: "gates_actions|t1|R1",
        selected_option: { value: "all_session" },
      }),
    ],
    [
      "a scope choice whose block names no request",
      click({ action_id: "approve_scope", block_id: "other", selected_option: { value: "tool" } }),
    ],
    [
      "a scope choice without its block",
      click({ action_id: "approve_scope", selected_option: { value: "tool" } }),
    ],
    ["a block action without a team", form({ type: "block_actions", user: { id: "U1" }, actions: [] })],
    [
      "a payload nested deeper than any body may be",
      new URLSearchParams({
        payload: `{"type":"shortcut","view":${"[".repeat(30_000)}${"]".repeat(30_000)}}`,
      }).toString(),
    ],
  ])("refuses %s as a validation error", (_name, body) => {
    expect(() => parseInteraction(body)).toThrow(ValidationError);
  });
});

describe("parseCommand", () => {
  it.each([
    ["link", "link"],
    [" Pending ", "pending"],
    ["", "help"],
    ["nonsense words", "help"],
  ])("reads /gates %j as %s", (text, subcommand) => {
    const body = new URLSearchParams({ team_id: "T1", user_id: "U1", text }).toString();
    expect(parseCommand(body)).toMatchObject({ teamId: "T1", userId: "U1", subcommand });
  });

  it("refuses a command without a user", () => {
    expect(() => parseCommand("team_id=T1&text=link")).toThrow(ValidationError);
  });
});

describe("requestRef", () => {
  it("refuses extra parts", () => {
    expect(() => requestRef("a|b|c")).toThrow(ValidationError);
  });
});
