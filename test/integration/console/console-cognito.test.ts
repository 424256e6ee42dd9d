import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { buildConsole } from "../../../console/build";
import { CONSOLE_CONFIG_PATH, type CognitoConsoleConfig } from "../../../console/config";
import { CONSOLE_SECURITY_HEADERS, consoleContentSecurityPolicy } from "../../../console/security-headers";
import type { ApprovalView } from "../../../contracts/api";
import { unverifiedClaims } from "../../../sdk/oauth-pkce";
import { launchChromium, type TestBrowser } from "../../support/browser";
import { type FakeHostedUi, startFakeHostedUi } from "../../support/fake-hosted-ui";

/**
 * The console as a deployment serves it (its files, a Cognito configuration, the API under /v1/ of
 * the same origin), with a fake Hosted UI and a stand-in API that answers who the bearer is.
 */
let site: Server;
let siteUrl: string;
let hostedUi: FakeHostedUi;
let chromium: TestBrowser;
let page: Page;
const apiAuthorizations: (string | undefined)[] = [];

beforeAll(async () => {
  const files = buildConsole();
  // The site reads the Hosted UI's address per request: the Hosted UI, started next, needs the
  // site's address as its callback.
  site = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (path.startsWith("/v1/")) {
      apiAuthorizations.push(req.headers.authorization);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const sub = token ? unverifiedClaims(token).sub : undefined;
      const [status, body] = !sub
        ? [401, { error: { code: "UNAUTHENTICATED", message: "no token" } }]
        : path === "/v1/whoami"
          ? [200, { kind: "human", id: sub, admin: false }]
          : path === `/v1/tasks/t1/approvals/${CRITICAL.request_id}`
            ? [200, CRITICAL]
            : path === "/v1/tasks/t1/approve"
              ? [
                  403,
                  {
                    error: {
                      code: "REAUTHENTICATION_REQUIRED",
                      message: "sign in again",
                      details: { max_age_s: 600 },
                    },
                  },
                ]
              : [200, { items: [] }];
      // A long-poll waits a little, as the real one does until something changes.
      const wait = (req.url ?? "").includes("wait_s=") ? 1000 : 0;
      setTimeout(() => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      }, wait);
      return;
    }
    const headers = {
      ...CONSOLE_SECURITY_HEADERS,
      "content-security-policy": consoleContentSecurityPolicy([hostedUi.url]),
    };
    if (path === CONSOLE_CONFIG_PATH) {
      res.writeHead(200, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify(config()));
      return;
    }
    const file = files.get(path === "/" ? "/index.html" : path);
    res.writeHead(file ? 200 : 404, { ...headers, "content-type": file?.contentType ?? "text/plain" });
    res.end(file ? Buffer.from(file.body) : "not found");
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  hostedUi = await startFakeHostedUi([{ clientId: "console-client", callbackUrls: [`${siteUrl}/`] }]);
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await hostedUi?.stop();
  await new Promise((resolve) => site.close(resolve));
});
beforeEach(async () => {
  page = await chromium.context.newPage();
});
afterEach(async () => {
  await page.close();
});

/** A pending critical request, as the stand-in API shows it. */
const CRITICAL: ApprovalView = {
  task_id: "t1",
  request_id: "01REQUEST",
  status: "PENDING",
  tool_name: "Bash",
  tool_input_preview: '{"command":"npm publish"}',
  tool_input_sha256: "0".repeat(64),
  rule_ids: ["package_publish"],
  severity: "critical",
  reason: "Needs approval: package_publish",
  created_at: new Date().toISOString(),
  expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  approvals_required: 1,
  approved_by: [],
  progress: "0 of 1 approval",
};

function config(): CognitoConsoleConfig {
  return {
    mode: "cognito",
    region: "eu-west-1",
    hostedUiUrl: hostedUi.url,
    clientId: "console-client",
    userPoolId: "eu-west-1_Test",
    identityPoolId: "eu-west-1:00000000-0000-0000-0000-000000000000",
    apiUrl: "https://api.example.com/prod/",
    // The shared routes take the id token too, so no identity pool is needed here.
    mixedRouteAuth: "cognito",
    criticalSignInMaxAgeMin: 10,
  };
}

/** Evaluates an expression in the page (this project's types describe Node, not the DOM). */
function inPage<T = unknown>(expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

describe("the deployed console's sign-in, in Chromium against a fake Hosted UI", () => {
  it("signs in with authorization code and PKCE, keeps the tokens in memory only, and returns to the page asked for", async () => {
    await page.goto(`${siteUrl}/#/policies`);

    await page.getByTestId("hosted-ui-sign-in").click();
    await page.getByTestId("who").filter({ hasText: "alice@example.com" }).waitFor();

    const authorization = hostedUi.authorizations.at(-1);
    expect(authorization?.path).toBe("/oauth2/authorize");
    expect(authorization?.params).toMatchObject({
      response_type: "code",
      client_id: "console-client",
      redirect_uri: `${siteUrl}/`,
      code_challenge_method: "S256",
      scope: "openid email profile",
    });
    // The fake redeems the code only with the verifier of that challenge.
    expect(hostedUi.tokenRequests.at(-1)).toMatchObject({
      grant_type: "authorization_code",
      redirect_uri: `${siteUrl}/`,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(apiAuthorizations.at(-1)).toMatch(/^Bearer [^.]+\.[^.]+\.$/);
    const after = await inPage<{ hash: string; search: string; stored: number }>(
      "({ hash: location.hash, search: location.search, stored: localStorage.length + sessionStorage.length })",
    );
    expect(after).toEqual({ hash: "#/policies", search: "", stored: 0 });
    const cookies = await chromium.context.cookies(siteUrl);
    expect(cookies).toEqual([]);

    await page.reload();
    await page.getByTestId("hosted-ui-sign-in").waitFor();
  });

  it("signs out through the Hosted UI's logout, back to the console", async () => {
    await page.goto(`${siteUrl}/`);
    await page.getByTestId("hosted-ui-sign-in").click();
    await page.getByTestId("who").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();

    await page.waitForURL((url) => url.pathname === "/logout");
    expect(hostedUi.authorizations.at(-1)).toEqual({
      path: "/logout",
      params: { client_id: "console-client", logout_uri: `${siteUrl}/` },
    });
  });

  it("refuses a sign-in answer it did not ask for, and holds no session", async () => {
    const before = hostedUi.tokenRequests.length;

    await page.goto(`${siteUrl}/?code=stolen&state=guessed#/`);

    await page.getByTestId("error").waitFor();
    expect(await page.getByTestId("error").textContent()).toContain("does not match");
    expect(hostedUi.tokenRequests.length).toBe(before);
    expect(await page.getByTestId("who").count()).toBe(0);
  });

  it("shows the Hosted UI's refusal and offers to sign in again", async () => {
    hostedUi.refuseNext = "access_denied";
    await page.goto(`${siteUrl}/`);

    await page.getByTestId("hosted-ui-sign-in").click();

    await page.getByTestId("error").waitFor();
    expect(await page.getByTestId("error").textContent()).toContain("the user said no");
    await page.getByTestId("hosted-ui-sign-in").waitFor();
  });

  it("sends an approver whose sign-in is too old for a critical request through a fresh Hosted UI sign-in, back to the request", async () => {
    const requestHash = `#/tasks/t1/requests/${CRITICAL.request_id}`;
    await page.goto(`${siteUrl}/${requestHash}`);
    await page.getByTestId("hosted-ui-sign-in").click();
    await page.getByTestId("approve").click();
    const again = page.getByTestId("sign-in-again");
    await again.waitFor();
    const signIns = hostedUi.tokenRequests.length;

    await again.click();

    await page.getByTestId("approve").waitFor();
    // The Hosted UI's session ends first, so the human authenticates now (a new auth_time).
    const fresh = hostedUi.authorizations.at(-1);
    expect(fresh?.path).toBe("/logout");
    expect(fresh?.params).toMatchObject({ response_type: "code", code_challenge_method: "S256" });
    expect(hostedUi.tokenRequests.length).toBe(signIns + 1);
    expect(await inPage("location.hash")).toBe(requestHash);
  });
});
