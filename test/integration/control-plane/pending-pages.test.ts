import type { PendingPage } from "../../../contracts/api";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { APPROVER, OWNER } from "../../support/gates-client";

let h: Harness;
const requestIds: string[] = [];
beforeAll(async () => {
  h = await startHarness();
  // Four requests two minutes apart, so their deadlines (600 s later, terraform_apply's) pass one by one.
  const taskId = await createTask(h.client, { approval_timeout_s: 3600 });
  for (let i = 0; i < 4; i += 1) {
    requestIds.push(await requestApproval(h.client, taskId, `terraform apply -var n=${i}`));
    h.clock.advance(120_000);
  }
});
afterAll(() => h.stop());

const page = (token: string, query: string) =>
  h.client
    .as(token)
    .get<PendingPage & { error?: { code: string; details: { fields: { field: string }[] } } }>(
      `/v1/pending?${query}`,
    );

describe("GET /v1/pending next_token", () => {
  it("pages through every request, soonest first", async () => {
    // Act
    const first = await page(OWNER, "limit=2");
    const second = await page(
      OWNER,
      `limit=2&next_token=${encodeURIComponent(String(first.body.next_token))}`,
    );

    // Assess
    expect(first.body.items.map((i) => i.request_id)).toEqual(requestIds.slice(0, 2));
    expect(second.body.items.map((i) => i.request_id)).toEqual(requestIds.slice(2));
  });

  it("continues with the next page when the token's position has expired meanwhile", async () => {
    // Prepare: the first page ends at the second request; then both of its deadlines pass, a minute
    // before the third's.
    const first = await page(OWNER, "limit=2");
    h.clock.advance(300_000);

    // Act
    const next = await page(OWNER, `limit=2&next_token=${encodeURIComponent(String(first.body.next_token))}`);

    // Assess
    expect(next.status).toBe(200);
    expect(next.body.items.map((i) => i.request_id)).toEqual(requestIds.slice(2));
  });

  it.each([
    ["random text", () => "not-a-token"],
    [
      "an empty sort key, as a caller could once write",
      () => Buffer.from('{"approver_id":"alice","sk":""}').toString("base64url"),
    ],
    [
      "a payload without its signature",
      () => Buffer.from("2030-01-01T00:00:00.000Z#t#01J").toString("base64url"),
    ],
    [
      "a real token with its position changed",
      (real: string) => `${Buffer.from("0000#x#y").toString("base64url")}.${real.split(".")[1]}`,
    ],
    [
      "a real token with its signature changed",
      (real: string) => `${real.slice(0, -2)}${real.endsWith("AA") ? "BB" : "AA"}`,
    ],
  ])("refuses %s with 400 VALIDATION_ERROR naming next_token", async (_what, forge) => {
    // Prepare
    const real = String((await page(OWNER, "limit=1")).body.next_token);

    // Act
    const reply = await page(OWNER, `limit=1&next_token=${encodeURIComponent(forge(real))}`);

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error?.code).toBe("VALIDATION_ERROR");
    expect(reply.body.error?.details.fields.map((f) => f.field)).toEqual(["next_token"]);
  });

  it("refuses another approver's token, though both may see the same requests", async () => {
    // Prepare
    const alices = String((await page(OWNER, "limit=1")).body.next_token);

    // Act
    const bobs = await page(APPROVER, `limit=1&next_token=${encodeURIComponent(alices)}`);

    // Assess
    expect([bobs.status, bobs.body.error?.code]).toEqual([400, "VALIDATION_ERROR"]);
  });
});
