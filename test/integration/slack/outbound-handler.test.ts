import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { type FakeSlack, startFakeSlack } from "../../support/fake-slack";
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from "../../support/fake-webhook-receiver";
import { type FreshTables, freshTables, testDynamoEndpoint } from "../setup/dynamo";
import { approvalFixture, batchOf, CHANNEL, requestedEvent, seed } from "./outbound-support";

const context = { awsRequestId: "aws-1", functionName: "channel-fanout" } as Context;

let slack: FakeSlack;
let receiver: FakeWebhookReceiver;
let tables: FreshTables;
let handler: (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;
let stdout: jest.SpyInstance;
const printed: string[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  receiver = await startFakeWebhookReceiver();
  tables = await freshTables();
  process.env.AWS_REGION = "local";
  process.env.GATES_TABLE_PREFIX = tables.names.Tasks.replace(/-Tasks$/, "");
  process.env.GATES_DYNAMO_ENDPOINT = testDynamoEndpoint();
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.SLACK_BOT_TOKEN = "xoxb-handler";
  process.env.SLACK_CHANNEL = CHANNEL;
  process.env.SLACK_API_URL = slack.apiUrl;
  process.env.GATES_WEBHOOKS = JSON.stringify([{ id: "ops", url: receiver.url, secret: receiver.secret }]);
  // The EMF lines go to stdout, as in Lambda; they are kept here instead of cluttering the run.
  stdout = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  // The handler reads its configuration when loaded, as in a Lambda container, so load it now.
  handler = (
    require("../../../lambdas/handlers/channel-fanout") as typeof import("../../../lambdas/handlers/channel-fanout")
  ).handler;
});
afterAll(async () => {
  stdout.mockRestore();
  await slack.close();
  await receiver.close();
  for (const name of ["SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_API_URL", "GATES_WEBHOOKS"])
    delete process.env[name];
});

describe("the channel fan-out Lambda entry point", () => {
  it("posts to Slack with the configured token and channel, sends the signed webhook, and prints ChannelDeliveries", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);

    const response = await handler(batchOf(requestedEvent(approval)), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const [post] = slack.callsTo("chat.postMessage");
    expect(post?.token).toBe("xoxb-handler");
    expect(post?.args.channel).toBe(CHANNEL);
    expect(printed.join("")).toContain('"channel":"slack","result":"posted","ChannelDeliveries":1');
    expect(printed.join("")).toContain('"channel":"webhook","result":"sent","ChannelDeliveries":1');
    expect(receiver.accepted()).toHaveLength(1);
    expect(receiver.received.every((d) => d.verified)).toBe(true);
  });
});
