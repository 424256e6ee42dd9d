import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { InitiateAuth, RespondToAuthChallenge } from "../../../cli/auth/cognito-login";
import { runCli } from "../../../cli/main";

let server: Server;
let url: string;
const seenAuth: (string | undefined)[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A fake Cognito that records the flows asked for and mints numbered tokens. */
function fakeCognito() {
  const flows: string[] = [];
  const initiateAuth: InitiateAuth = async (input) => {
    flows.push(String(input.AuthFlow));
    if (input.AuthFlow === "USER_PASSWORD_AUTH" && input.AuthParameters?.PASSWORD !== "hunter2")
      throw new Error("Incorrect username or password.");
    // Like Cognito, a refresh returns no new refresh token.
    const refresh = input.AuthFlow === "USER_PASSWORD_AUTH" ? { RefreshToken: "refresh-1" } : {};
    return {
      $metadata: {},
      AuthenticationResult: { IdToken: `id-${flows.length}`, ExpiresIn: 3600, ...refresh },
    };
  };
  return { flows, initiateAuth };
}

async function run(argv: string[], dir: string, extra: Record<string, unknown> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {
      GATES_URL: url,
      GATES_CONFIG_DIR: dir,
      GATES_COGNITO_CLIENT_ID: "client",
      GATES_COGNITO_REGION: "eu-west-1",
    },
    ...extra,
  });
  return { code, stdout, stderr };
}

describe("gates login", () => {
  it("caches the tokens in the default profile with mode 0600 and later commands send the id token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const cognito = fakeCognito();
    const login = await run(["login", "--username", "alice", "--password-stdin"], dir, {
      stdin: Readable.from(["hunter2\n"]),
      initiateAuth: cognito.initiateAuth,
    });
    expect(login.code).toBe(0);
    const file = join(dir, "profiles/default.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      url,
      login: { id_token: "id-1", username: "alice" },
      cognito: { client_id: "client", region: "eu-west-1" },
    });
    expect((await run(["pending"], dir, { initiateAuth: cognito.initiateAuth })).code).toBe(0);
    expect(seenAuth.at(-1)).toBe("Bearer id-1");
  });

  it("refreshes an expired token and re-caches it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const file = join(dir, "profiles/default.json");
    const expired = {
      id_token: "old",
      refresh_token: "r",
      expires_at: 0,
      client_id: "c",
      region: "eu-west-1",
      username: "alice",
    };
    await mkdir(join(dir, "profiles"), { recursive: true });
    await writeFile(file, JSON.stringify({ url, login: expired }));
    const cognito = fakeCognito();
    expect((await run(["pending"], dir, { initiateAuth: cognito.initiateAuth })).code).toBe(0);
    expect(cognito.flows).toEqual(["REFRESH_TOKEN_AUTH"]);
    expect(seenAuth.at(-1)).toBe("Bearer id-1");
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      login: { id_token: "id-1", refresh_token: "r" },
    });
  });

  it("fails with exit 1 on a wrong password and exit 2 without a client id", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const cognito = fakeCognito();
    const wrong = await run(["login", "--username", "alice", "--password-stdin"], dir, {
      stdin: Readable.from(["nope\n"]),
      initiateAuth: cognito.initiateAuth,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Incorrect username or password");
    let stderr = "";
    const code = await runCli(["login", "--username", "alice", "--password-stdin"], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { GATES_CONFIG_DIR: dir },
      stdin: Readable.from([""]),
    });
    expect(code).toBe(2);
    expect(stderr).toContain("GATES_COGNITO_CLIENT_ID");
  });

  it("completes a first sign-in by setting the new password Cognito asks for", async () => {
    // Prepare: an administrator created alice, so her first sign-in must choose a new password.
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const initiateAuth: InitiateAuth = async () => ({
      $metadata: {},
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: "session-1",
      ChallengeParameters: { USER_ID_FOR_SRP: "alice-user" },
    });
    const answered: unknown[] = [];
    const respondToAuthChallenge: RespondToAuthChallenge = async (input) => {
      answered.push(input);
      return {
        $metadata: {},
        AuthenticationResult: { IdToken: "id-new", RefreshToken: "r", ExpiresIn: 3600 },
      };
    };

    // Act
    const login = await run(["login", "--username", "alice@example.com", "--password-stdin"], dir, {
      stdin: Readable.from(["temporary-1\nMy-new-password-2\n"]),
      initiateAuth,
      respondToAuthChallenge,
    });

    // Assess
    expect(login.code).toBe(0);
    expect(login.stderr).toContain("first sign-in");
    expect(answered).toEqual([
      {
        ClientId: "client",
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: "session-1",
        ChallengeResponses: { USERNAME: "alice-user", NEW_PASSWORD: "My-new-password-2" },
      },
    ]);
    const profile = JSON.parse(await readFile(join(dir, "profiles/default.json"), "utf8"));
    expect(profile.login).toMatchObject({ id_token: "id-new", username: "alice@example.com" });
  });

  it("answers an MFA code after the new password, each from the next line of stdin", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const initiateAuth: InitiateAuth = async () => ({
      $metadata: {},
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: "s1",
    });
    const respondToAuthChallenge: RespondToAuthChallenge = async (input) =>
      input.ChallengeName === "NEW_PASSWORD_REQUIRED"
        ? { $metadata: {}, ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" }
        : input.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE === "123456"
          ? { $metadata: {}, AuthenticationResult: { IdToken: "id-mfa", ExpiresIn: 3600 } }
          : { $metadata: {} };

    // Act
    const login = await run(["login", "--username", "alice", "--password-stdin"], dir, {
      stdin: Readable.from(["temporary-1\nMy-new-password-2\n123456\n"]),
      initiateAuth,
      respondToAuthChallenge,
    });

    // Assess
    expect(login.code).toBe(0);
    const profile = JSON.parse(await readFile(join(dir, "profiles/default.json"), "utf8"));
    expect(profile.login.id_token).toBe("id-mfa");
  });

  it("says what to give when stdin holds no new password for a first sign-in", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-login-"));
    const initiateAuth: InitiateAuth = async () => ({
      $metadata: {},
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: "s1",
    });

    // Act
    const login = await run(["login", "--username", "alice", "--password-stdin"], dir, {
      stdin: Readable.from(["temporary-1\n"]),
      initiateAuth,
      respondToAuthChallenge: async () => {
        throw new Error("not reached");
      },
    });

    // Assess
    expect(login.code).toBe(2);
    expect(login.stderr).toContain("a new password (first sign-in)");
    expect(login.stderr).toContain("next line of stdin");
  });
});
