import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { AGENT, APPROVER, OWNER } from "../../support/gates-client";
import {
  blockAction,
  fakeSlack,
  link,
  linkCodeFor,
  postSigned,
  type SlackPerson,
  slashCommand,
} from "./slack-fakes";

const COMMANDS = "/v1/slack/commands";

let h: Harness;
let slack: ReturnType<typeof fakeSlack>;
let people = 0;
beforeAll(async () => {
  slack = fakeSlack();
  h = await startHarness({ slack: slack.deps });
});
afterAll(() => h.stop());

/** A Slack user no other test uses. */
function newSlackUser(): SlackPerson {
  people += 1;
  return { team: "T9", user: `U${people}` };
}

describe("linking a Slack account", () => {
  it("links through /gates link and the code, after which a click decides as that human", async () => {
    // Prepare
    const who = newSlackUser();
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);

    // Act
    const code = await linkCodeFor(h, who);
    const linked = await h.client
      .as(APPROVER)
      .post("/v1/slack/link", { code: code.replace("-", "").toLowerCase() });
    const click = await postSigned(
      h,
      "/v1/slack/interactions",
      blockAction(who, { action_id: "approve", value: `${taskId}|${requestId}` }),
    );

    // Assess
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(linked).toMatchObject({
      status: 200,
      body: { linked: true, slack_team_id: who.team, slack_user_id: who.user },
    });
    expect(click.status).toBe(200);
    const approval = await h.client.as(AGENT).get(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(approval.body).toMatchObject({ status: "APPROVED", decided_by: "bob", via: "slack" });
  });

  it("answers /gates link ephemerally with the CLI command", async () => {
    // Act
    const reply = await postSigned(h, COMMANDS, slashCommand(newSlackUser(), "link"));

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringMatching(/`gates slack link [0-9A-Z]{4}-[0-9A-Z]{4}`/),
    });
  });

  it("uses a code once", async () => {
    // Prepare
    const code = await linkCodeFor(h, newSlackUser());
    await h.client.as("local:human:first").post("/v1/slack/link", { code });

    // Act
    const again = await h.client.as("local:human:second").post("/v1/slack/link", { code });

    // Assess
    expect(again).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_ERROR" } } });
  });

  it("refuses a code after its 10 minutes", async () => {
    // Prepare
    const code = await linkCodeFor(h, newSlackUser());
    h.clock.advance(10 * 60 * 1000 + 1000);

    // Act
    const reply = await h.client.as("local:human:late").post("/v1/slack/link", { code });

    // Assess
    expect(reply).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_ERROR" } } });
  });

  it("never overwrites a link: a second code for the same Slack user answers 409", async () => {
    // Prepare: two codes asked for before either was used.
    const who = newSlackUser();
    const first = await linkCodeFor(h, who);
    const second = await linkCodeFor(h, who);
    await h.client.as("local:human:carol").post("/v1/slack/link", { code: first });

    // Act
    const relink = await h.client.as("local:human:dave").post("/v1/slack/link", { code: second });
    const askAgain = await postSigned(h, COMMANDS, slashCommand(who, "link"));

    // Assess
    expect(relink).toMatchObject({ status: 409, body: { error: { code: "SLACK_ALREADY_LINKED" } } });
    expect(String((relink.body as { error: { message: string } }).error.message)).toContain("unlink first");
    expect(String(askAgain.body.text)).toContain("already linked");
  });

  it("links again after the human unlinks", async () => {
    // Prepare
    const who = newSlackUser();
    await link(h, who, "local:human:frank");
    await h.client.as("local:human:frank").delete("/v1/slack/link");

    // Act
    const code = await linkCodeFor(h, who);
    const relink = await h.client.as("local:human:grace").post("/v1/slack/link", { code });

    // Assess
    expect(relink.status).toBe(200);
  });

  it("rate limits a human after 10 attempts in an hour", async () => {
    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push(
        (await h.client.as("local:human:guesser").post("/v1/slack/link", { code: "ZZZZ-ZZZZ" })).status,
      );
    }
    const code = await linkCodeFor(h, newSlackUser());
    const right = await h.client.as("local:human:guesser").post("/v1/slack/link", { code });

    // Assess
    expect(statuses).toEqual([...Array(10).fill(400), 429]);
    expect(right.status).toBe(429);
    expect(right.headers.get("retry-after")).toBeTruthy();
  });

  it("checks at most 10 of 30 guesses sent at once; the others are refused unchecked", async () => {
    // Act: all in flight together, as a script guessing codes would send them.
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h.client
          .as("local:human:racer")
          .post("/v1/slack/link", { code: `ZZZZ-ZZ${String(i).padStart(2, "0")}` }),
      ),
    );

    // Assess
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(10).fill(400), ...Array(20).fill(429)]);
  });

  it("gives a right code's count back, so failures alone use up the hour", async () => {
    // Prepare: nine failures, then a success.
    for (let i = 0; i < 9; i += 1)
      await h.client.as("local:human:mixed").post("/v1/slack/link", { code: "ZZZZ-ZZZZ" });
    const code = await linkCodeFor(h, newSlackUser());
    const linked = await h.client.as("local:human:mixed").post("/v1/slack/link", { code });

    // Act
    const tenth = await h.client.as("local:human:mixed").post("/v1/slack/link", { code: "ZZZZ-ZZZZ" });
    const eleventh = await h.client.as("local:human:mixed").post("/v1/slack/link", { code: "ZZZZ-ZZZZ" });

    // Assess
    expect([linked.status, tenth.status, eleventh.status]).toEqual([200, 400, 429]);
  });

  it("counts only failed attempts: successful links never use up the hour", async () => {
    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const code = await linkCodeFor(h, newSlackUser());
      statuses.push((await h.client.as("local:human:linker").post("/v1/slack/link", { code })).status);
    }

    // Assess
    expect(statuses).toEqual(Array(12).fill(200));
  });

  it("unlinks with DELETE, after which clicks are refused as unlinked", async () => {
    // Prepare
    const who = newSlackUser();
    await link(h, who, "local:human:erin");

    // Act
    const removed = await h.client.as("local:human:erin").delete("/v1/slack/link");
    const pending = await postSigned(h, COMMANDS, slashCommand(who, "pending"));

    // Assess
    expect(removed).toMatchObject({ status: 200, body: { unlinked: 1 } });
    expect(String(pending.body.text)).toContain("/gates link");
  });

  it("refuses links for agents and for missing or invalid bodies", async () => {
    // Act
    const agent = await h.client.as(AGENT).post("/v1/slack/link", { code: "ABCD-EFGH" });
    const extra = await h.client.as(OWNER).post("/v1/slack/link", { code: "ABCD-EFGH", user: "x" });

    // Assess
    expect(agent.status).toBe(403);
    expect(extra).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_ERROR" } } });
  });
});

describe("the /gates command", () => {
  it("lists the linked human's pending requests", async () => {
    // Prepare
    const who = newSlackUser();
    await link(h, who, OWNER);
    const taskId = await createTask(h.client);
    await requestApproval(h.client, taskId);

    // Act
    const reply = await postSigned(h, COMMANDS, slashCommand(who, "pending"));

    // Assess
    expect(reply.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(reply.body.text)).toContain(taskId);
  });

  it.each(["help", "", "frobnicate"])("explains itself for %j", async (text) => {
    // Act
    const reply = await postSigned(h, COMMANDS, slashCommand(newSlackUser(), text));

    // Assess
    expect(reply.body).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("/gates link"),
    });
  });

  it("answers 401 to an unsigned command", async () => {
    // Act
    const reply = await postSigned(h, COMMANDS, slashCommand(newSlackUser(), "link"), { secret: "wrong" });

    // Assess
    expect(reply.status).toBe(401);
  });
});

describe("without a signing secret", () => {
  it("answers 503 on the Slack routes, never accepting the request", async () => {
    // Prepare
    const closed = await startHarness({ slack: { signingSecret: { get: async () => undefined } } });
    try {
      // Act
      const reply = await postSigned(closed, COMMANDS, slashCommand(newSlackUser(), "link"));

      // Assess
      expect(reply).toMatchObject({ status: 503, body: { error: { code: "SERVICE_UNAVAILABLE" } } });
    } finally {
      await closed.stop();
    }
  });
});
