import fc from "fast-check";
import {
  SIGNATURE_WINDOW_S,
  signSlackRequest,
  verifySlackSignature,
} from "../../lambdas/core/slack/signature";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW = new Date("2026-11-22T12:00:00.000Z");
const TS = String(Math.floor(NOW.getTime() / 1000));
const BODY = "payload=%7B%22type%22%3A%22block_actions%22%7D";

function signed(overrides: { timestamp?: string; signature?: string; rawBody?: string } = {}) {
  const timestamp = overrides.timestamp ?? TS;
  const rawBody = overrides.rawBody ?? BODY;
  return {
    timestamp,
    rawBody,
    signature: overrides.signature ?? signSlackRequest(SECRET, timestamp, rawBody),
  };
}

describe("verifySlackSignature", () => {
  it("accepts a request signed with the secret within the window", () => {
    // Act
    const result = verifySlackSignature(SECRET, signed(), NOW);

    // Assess
    expect(result).toEqual({ ok: true });
  });

  it("matches Slack's documented example", () => {
    // Prepare: the example from Slack's "Verifying requests" guide.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const request = {
      timestamp: "1531420618",
      rawBody: body,
      signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    };

    // Act
    const result = verifySlackSignature(SECRET, request, new Date(1531420618 * 1000));

    // Assess
    expect(result).toEqual({ ok: true });
  });

  it.each([
    ["a forged signature", signed({ signature: `v0=${"0".repeat(64)}` }), "mismatch"],
    [
      "a signature made with another secret",
      { ...signed(), signature: signSlackRequest("other", TS, BODY) },
      "mismatch",
    ],
    ["a stale timestamp", signed({ timestamp: String(Number(TS) - SIGNATURE_WINDOW_S - 1) }), "stale"],
    ["a future timestamp", signed({ timestamp: String(Number(TS) + SIGNATURE_WINDOW_S + 1) }), "stale"],
    ["a missing timestamp", { ...signed(), timestamp: undefined }, "missing_headers"],
    ["a missing signature", { ...signed(), signature: undefined }, "missing_headers"],
    ["a non-numeric timestamp", signed({ timestamp: "12ab" }), "bad_timestamp"],
    [
      "another version prefix",
      { ...signed(), signature: signed().signature.replace("v0=", "v1=") },
      "bad_version",
    ],
    ["a truncated signature", { ...signed(), signature: signed().signature.slice(0, 40) }, "bad_version"],
  ])("refuses %s", (_name, request, reason) => {
    // Act
    const result = verifySlackSignature(SECRET, request, NOW);

    // Assess
    expect(result).toEqual({ ok: false, reason });
  });

  it("refuses a valid request replayed after the window", () => {
    // Prepare: captured when it was fresh.
    const captured = signed();
    expect(verifySlackSignature(SECRET, captured, NOW).ok).toBe(true);

    // Act
    const later = new Date(NOW.getTime() + (SIGNATURE_WINDOW_S + 1) * 1000);

    // Assess
    expect(verifySlackSignature(SECRET, captured, later)).toEqual({ ok: false, reason: "stale" });
  });

  it("accepts the edges of the window", () => {
    for (const offset of [-SIGNATURE_WINDOW_S, SIGNATURE_WINDOW_S]) {
      expect(verifySlackSignature(SECRET, signed({ timestamp: String(Number(TS) + offset) }), NOW).ok).toBe(
        true,
      );
    }
  });

  it("refuses any change to the signed body", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 5 }),
        (body, at, insert) => {
          // Prepare
          const { signature } = signed({ rawBody: body });
          const cut = at % (body.length + 1);
          const mutated = body.slice(0, cut) + insert + body.slice(cut);

          // Act
          const result = verifySlackSignature(SECRET, { timestamp: TS, signature, rawBody: mutated }, NOW);

          // Assess
          return !result.ok;
        },
      ),
    );
  });

  it("refuses any single flipped character of the body", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }), fc.nat(), (body, at) => {
        const i = at % body.length;
        const flipped = body.slice(0, i) + String.fromCharCode(body.charCodeAt(i) ^ 1) + body.slice(i + 1);
        const { signature } = signed({ rawBody: body });
        return !verifySlackSignature(SECRET, { timestamp: TS, signature, rawBody: flipped }, NOW).ok;
      }),
    );
  });
});
