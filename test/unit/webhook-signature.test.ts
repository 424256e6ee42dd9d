import { signWebhook, verifyWebhook, WEBHOOK_TOLERANCE_S } from "../../lambdas/core/webhooks/signature";

const SECRET = "whsec-unit-0123456789";
const NOW = new Date("2026-05-01T12:00:00.000Z");
const T = String(NOW.getTime() / 1000);
const BODY = '{"id":"t-1:3","type":"approval.requested"}';

describe("webhook signatures", () => {
  it("signs HMAC-SHA256 of <timestamp>.<body> as v1=<hex>, the value any HMAC library computes", () => {
    // Computed apart, with Python: hmac.new(secret, f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    expect(signWebhook(SECRET, T, BODY)).toBe(
      "v1=b3a1da36eff46e3ad9d6d81550eefbcbf611e5614d13e30faa84422f6d3f3577",
    );
  });

  it("verifies a delivery signed with the same secret within the window", () => {
    const signature = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, { signature, timestamp: T, body: BODY }, NOW)).toEqual({ ok: true });
  });

  it.each([
    [
      "another secret",
      { signature: signWebhook("another-secret-000000", T, BODY), timestamp: T, body: BODY },
      "mismatch",
    ],
    [
      "a changed body",
      { signature: signWebhook(SECRET, T, BODY), timestamp: T, body: `${BODY} ` },
      "mismatch",
    ],
    [
      "a changed timestamp",
      { signature: signWebhook(SECRET, T, BODY), timestamp: String(Number(T) + 1), body: BODY },
      "mismatch",
    ],
    ["no signature", { signature: undefined, timestamp: T, body: BODY }, "missing_headers"],
    ["a timestamp that is no number", { signature: "v1=00", timestamp: "soon", body: BODY }, "bad_timestamp"],
  ])("refuses %s", (_name, delivery, reason) => {
    expect(verifyWebhook(SECRET, delivery, NOW)).toEqual({ ok: false, reason });
  });

  it("refuses a replay older than the window, and a delivery from too far ahead", () => {
    for (const skew of [WEBHOOK_TOLERANCE_S + 1, -(WEBHOOK_TOLERANCE_S + 1)]) {
      const at = String(Number(T) - skew);
      const signature = signWebhook(SECRET, at, BODY);
      expect(verifyWebhook(SECRET, { signature, timestamp: at, body: BODY }, NOW)).toEqual({
        ok: false,
        reason: "stale",
      });
    }
  });
});
