import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAuthenticator, isSharedRoute } from "../../../sdk/auth";

/** A fake Cognito Identity endpoint speaking its JSON 1.1 protocol, recording what it was asked. */
async function fakeCognitoIdentity() {
  const calls: { target: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      calls.push({ target, body: JSON.parse(text || "{}") as Record<string, unknown> });
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (target.endsWith(".GetId")) res.end(JSON.stringify({ IdentityId: "eu-west-1:identity-1" }));
      else
        res.end(
          JSON.stringify({
            IdentityId: "eu-west-1:identity-1",
            Credentials: {
              AccessKeyId: "ASIAFAKEIDENTITYPOOL",
              SecretKey: "fake-secret",
              SessionToken: "fake-session-token",
              Expiration: Math.floor(Date.now() / 1000) + 3600,
            },
          }),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(r)) };
}

const API = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";
const request = (method: string, path: string) => ({ method, url: new URL(`${API}${path}`), headers: {} });

describe("a human's credentials on a deployed API", () => {
  it("knows the routes shared with agents from the route manifest", () => {
    expect(isSharedRoute("GET", "/prod/v1/tasks/t1")).toBe(true);
    expect(isSharedRoute("GET", "/prod/v1/tasks/t1/events")).toBe(true);
    expect(isSharedRoute("GET", "/prod/v1/tasks/t1/approvals/01J")).toBe(true);
    expect(isSharedRoute("POST", "/prod/v1/repos/acme%2Fapp/policies/evaluate")).toBe(true);
    expect(isSharedRoute("POST", "/prod/v1/tasks/t1/approve")).toBe(false);
    expect(isSharedRoute("GET", "/prod/v1/pending")).toBe(false);
    expect(isSharedRoute("POST", "/prod/v1/tasks")).toBe(false);
  });

  it("signs shared routes with identity-pool credentials for the id token, and sends the token elsewhere", async () => {
    const cognito = await fakeCognitoIdentity();
    try {
      const auth = createAuthenticator(
        {
          token: "id-token-of-alice",
          identityPool: {
            identityPoolId: "eu-west-1:pool",
            userPoolId: "eu-west-1_AbC123",
            endpoint: cognito.endpoint,
          },
        },
        {},
      );

      const shared = await auth(request("GET", "/v1/tasks/t1"));
      const again = await auth(request("GET", "/v1/tasks/t1/events"));
      const human = await auth(request("POST", "/v1/tasks/t1/approve"));

      expect(shared.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFAKEIDENTITYPOOL\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
      );
      expect(shared["x-amz-security-token"]).toBe("fake-session-token");
      expect(again.authorization).toMatch(/^AWS4-HMAC-SHA256/);
      expect(human.authorization).toBe("Bearer id-token-of-alice");
      expect(cognito.calls.map((c) => c.target.split(".").at(-1))).toEqual([
        "GetId",
        "GetCredentialsForIdentity",
      ]);
      expect(cognito.calls[0]?.body).toMatchObject({
        IdentityPoolId: "eu-west-1:pool",
        Logins: { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123": "id-token-of-alice" },
      });
    } finally {
      await cognito.close();
    }
  });

  it("keeps plain bearer auth, shared routes included, without an identity pool", async () => {
    const auth = createAuthenticator({ token: "local:human:alice" }, {});
    expect((await auth(request("GET", "/v1/tasks/t1"))).authorization).toBe("Bearer local:human:alice");
  });
});
