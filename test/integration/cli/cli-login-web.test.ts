import { mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../cli/main";
import { type FakeHostedUi, startFakeHostedUi } from "../../support/fake-hosted-ui";

let api: Server;
let apiUrl: string;
const seenAuth: (string | undefined)[] = [];
let hostedUi: FakeHostedUi;
let port: number;

/** A port that was free a moment ago, for the loopback redirect. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

beforeAll(async () => {
  api = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: [] }));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  port = await freePort();
  hostedUi = await startFakeHostedUi([
    { clientId: "cli", callbackUrls: [`http://localhost:${port}/callback`] },
  ]);
});
afterAll(async () => {
  await hostedUi.stop();
  await new Promise((resolve) => api.close(resolve));
});

/** Runs `gates` with a "browser" that follows the sign-in URL the way a real one would. */
async function run(argv: string[], dir: string, browser: (url: string) => Promise<void>) {
  let stdout = "";
  let stderr = "";
  let browsing: Promise<void> | undefined;
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {
      GATES_URL: apiUrl,
      GATES_CONFIG_DIR: dir,
      GATES_COGNITO_CLIENT_ID: "cli",
      GATES_COGNITO_REGION: "eu-west-1",
      GATES_HOSTED_UI_URL: hostedUi.url,
    },
    openBrowser: (url) => {
      browsing = browser(url);
    },
  });
  // The browser's last page may still be arriving when the CLI has its answer.
  await browsing;
  return { code, stdout, stderr };
}

/** What the browser showed at the end of the redirects. */
let shown: { status: number; text: string } | undefined;
const follow = async (url: string) => {
  const response = await fetch(url);
  shown = { status: response.status, text: await response.text() };
};

describe("gates login --web", () => {
  it("signs in through the Hosted UI with PKCE and a loopback redirect, and later commands send the id token", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-web-"));

    // Act
    const login = await run(["login", "--web", "--port", String(port)], dir, follow);

    // Assess
    expect(login.stderr).toContain(`${hostedUi.url}/logout?`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("as alice");
    expect(shown).toEqual({ status: 200, text: expect.stringContaining("You can close this tab") });
    const [authorization] = hostedUi.authorizations.slice(-1);
    // A fresh sign-in: the Hosted UI's session ends first, so auth_time is now.
    expect(authorization?.path).toBe("/logout");
    expect(authorization?.params).toMatchObject({
      client_id: "cli",
      redirect_uri: `http://localhost:${port}/callback`,
      code_challenge_method: "S256",
    });
    const profile = JSON.parse(await readFile(join(dir, "profiles/default.json"), "utf8"));
    expect(profile).toMatchObject({
      url: apiUrl,
      login: { refresh_token: "refresh-token", client_id: "cli", username: "alice" },
      cognito: { client_id: "cli", region: "eu-west-1", hosted_ui_url: hostedUi.url },
    });
    expect((await run(["pending"], dir, follow)).code).toBe(0);
    expect(seenAuth.at(-1)).toBe(`Bearer ${profile.login.id_token}`);
  });

  it("turns away a redirect carrying another state and still completes the real sign-in", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-web-"));
    let forged: { status: number; text: string } | undefined;
    const forgerFirst = async (url: string) => {
      const response = await fetch(`http://localhost:${port}/callback?code=stolen&state=guess`);
      forged = { status: response.status, text: await response.text() };
      await follow(url);
    };

    // Act
    const login = await run(["login", "--web", "--port", String(port)], dir, forgerFirst);

    // Assess
    expect(forged?.status).toBe(400);
    expect(login.code).toBe(0);
    expect(hostedUi.tokenRequests.map((r) => r.code)).not.toContain("stolen");
  });

  it("fails with the Hosted UI's reason when the sign-in is refused, and saves nothing", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-web-"));
    hostedUi.refuseNext = "access_denied";

    // Act
    const login = await run(["login", "--web", "--port", String(port)], dir, follow);

    // Assess
    expect(login.code).toBe(1);
    expect(login.stderr).toContain("the user said no");
    expect(shown?.status).toBe(400);
    await expect(readFile(join(dir, "profiles/default.json"), "utf8")).rejects.toThrow();
  });

  it("asks for the Hosted UI's URL when it has none", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-web-"));
    let stderr = "";

    // Act
    const code = await runCli(["login", "--web"], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: {
        GATES_URL: apiUrl,
        GATES_CONFIG_DIR: dir,
        GATES_COGNITO_CLIENT_ID: "cli",
        GATES_COGNITO_REGION: "r",
      },
    });

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain("GATES_HOSTED_UI_URL");
  });
});
