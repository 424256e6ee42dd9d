import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type CliIo, runCli } from "../../../cli/main";
import { version } from "../../../package.json";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { APPROVER, OWNER, waitFor } from "../../support/gates-client";
import { gates, jsonOf } from "./run-cli";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** A `gates` run whose output can be read while it is still running. */
function liveGates(argv: readonly string[], env: CliIo["env"]) {
  const stop = new AbortController();
  let stdout = "";
  let stderr = "";
  const done = runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { GATES_CONFIG_DIR: "/nonexistent/gates-test", ...env },
    signal: stop.signal,
  });
  return {
    lines: () => stdout.split("\n").filter(Boolean),
    stderr: () => stderr,
    stop: async () => {
      stop.abort();
      return done;
    },
    done,
  };
}

/** Runs a shell with a script on stdin-free arguments; resolves with what it printed. */
function shell(file: string, args: readonly string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("gates --version and completion", () => {
  it("prints the package version", async () => {
    // Act
    const run = await gates(h.plane.url, undefined, ["--version"]);

    // Assess
    expect({ code: run.code, stdout: run.stdout.trim() }).toEqual({ code: 0, stdout: version });
  });

  it("completes subcommands, nested subcommands and options in bash", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-completion-"));
    const script = join(dir, "gates.bash");
    await writeFile(script, (await gates(h.plane.url, undefined, ["completion", "bash"])).stdout);
    const complete = (line: string) =>
      shell("bash", [
        "-c",
        `source ${script}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _gates; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);

    // Act
    const top = await complete("gates ''");
    const policies = await complete("gates --url http://x policies ''");
    const push = await complete("gates policies push --");
    const shells = await complete("gates completion ''");

    // Assess
    expect(top.stdout.split("\n")).toEqual(
      expect.arrayContaining(["pending", "approve", "events", "whoami"]),
    );
    expect(policies.stdout.split("\n").filter(Boolean).sort()).toEqual(
      expect.arrayContaining(["list", "push", "show", "test"]),
    );
    expect(policies.stdout).not.toContain("pending");
    expect(push.stdout.split("\n")).toEqual(expect.arrayContaining(["--disable", "--url", "--json"]));
    expect(shells.stdout.split("\n").filter((w) => w && !w.startsWith("-"))).toEqual(["bash", "zsh", "fish"]);
  });

  it("writes a zsh script zsh accepts and a fish script that completes in fish", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "gates-completion-"));
    const zsh = join(dir, "_gates");
    const fish = join(dir, "gates.fish");
    await writeFile(zsh, (await gates(h.plane.url, undefined, ["completion", "zsh"])).stdout);
    await writeFile(fish, (await gates(h.plane.url, undefined, ["completion", "fish"])).stdout);

    // Act
    const zshParse = await shell("zsh", ["-n", zsh]);
    const fishTop = await shell("fish", ["-c", `source ${fish}; complete -C 'gates '`]);
    const fishNested = await shell("fish", ["-c", `source ${fish}; complete -C 'gates grants '`]);

    // Assess
    expect(zshParse).toMatchObject({ code: 0, stderr: "" });
    expect(fishTop.stdout).toMatch(/^pending\t/m);
    expect(fishTop.stdout).toMatch(/^whoami\t/m);
    expect(fishNested.stdout).toMatch(/^revoke\t/m);
    expect(fishNested.stdout).not.toMatch(/^pending\t/m);
  });
});

describe("gates --watch streams", () => {
  it("pending --watch --json writes one JSON object per change: added, then removed once decided", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const watch = liveGates(["pending", "--watch", "--json", "--interval", "1"], {
      GATES_URL: h.plane.url,
      GATES_TOKEN: APPROVER,
    });
    const requestId = await requestApproval(h.client, taskId);
    const parsed = () =>
      watch.lines().map((l) => JSON.parse(l) as { change: string; item: { request_id: string } });
    await waitFor(
      async () => parsed().find((c) => c.change === "added" && c.item.request_id === requestId),
      10_000,
      "the added line",
    );

    // Act
    await gates(h.plane.url, APPROVER, ["approve", taskId, requestId]);
    await waitFor(
      async () => parsed().find((c) => c.change === "removed" && c.item.request_id === requestId),
      10_000,
      "the removed line",
    );
    const code = await watch.stop();

    // Assess
    expect(code).toBe(0);
    const mine = parsed().filter((c) => c.item.request_id === requestId);
    expect(mine.map((c) => c.change)).toEqual(["added", "removed"]);
    expect(watch.lines().every((l) => !l.includes("\n") && l.startsWith("{"))).toBe(true);
  });

  it("events --watch --verify follows a task as NDJSON and ends when the task ends", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const watch = liveGates(["events", taskId, "--watch", "--verify", "--json", "--interval", "1"], {
      GATES_URL: h.plane.url,
      GATES_TOKEN: OWNER,
    });
    await waitFor(async () => (watch.lines().length >= 1 ? true : undefined), 10_000, "the first event");

    // Act
    const requestId = await requestApproval(h.client, taskId);
    await gates(h.plane.url, OWNER, ["cancel", taskId, "--reason", "watched"]);
    const code = await watch.done;

    // Assess
    expect({ code, stderr: watch.stderr() }).toEqual({ code: 0, stderr: "" });
    const events = watch.lines().map((l) => JSON.parse(l) as { seq: number; type: string; data: object });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["task.created", "approval.requested", "task.cancelled"]),
    );
    expect(events.find((e) => e.type === "approval.requested")?.data).toMatchObject({
      request_id: requestId,
    });
  });
});

/** A stand-in API that records who called it with which credentials. */
function recordingApi() {
  const calls: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    calls.push({ path: String(req.url), headers: req.headers });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        req.url?.startsWith("/v1/whoami") ? { kind: "human", id: "alice", admin: false } : { items: [] },
      ),
    );
  });
  return {
    calls,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("gates profiles", () => {
  const apiA = recordingApi();
  const apiB = recordingApi();
  let urlA: string;
  let urlB: string;
  let config: string;
  beforeAll(async () => {
    urlA = await apiA.start();
    urlB = await apiB.start();
    config = await mkdtemp(join(tmpdir(), "gates-profiles-"));
  });
  afterAll(async () => {
    await apiA.close();
    await apiB.close();
  });

  const run = (argv: string[], extra: Partial<CliIo> = {}, env: CliIo["env"] = {}) => {
    let stdout = "";
    let stderr = "";
    return runCli(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { GATES_CONFIG_DIR: config, ...env },
      ...extra,
    }).then((code) => ({ code, stdout, stderr }));
  };

  it("binds a saved token to its API and never sends it to another host", async () => {
    // Prepare
    const saved = await run(["--profile", "work", "--url", urlA, "login", "--with-token"], {
      stdin: Readable.from(["local:human:alice\n"]),
    });

    // Act
    const here = await run(["--profile", "work", "pending"]);
    const elsewhere = await run(["--profile", "work", "--url", urlB, "pending"]);
    const byEnv = await run(["pending"], {}, { GATES_PROFILE: "work", GATES_URL: urlB });

    // Assess
    expect(saved.code).toBe(0);
    expect(here.code).toBe(0);
    expect(apiA.calls.at(-1)?.headers.authorization).toBe("Bearer local:human:alice");
    for (const refused of [elsewhere, byEnv]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`not sent to ${urlB}`);
    }
    expect(apiB.calls).toEqual([]);
    const file = JSON.parse(await readFile(join(config, "profiles/work.json"), "utf8"));
    expect(file).toEqual({ url: urlA, token: "local:human:alice" });
  });

  it("refuses an unknown profile and a name that is not one", async () => {
    // Act
    const unknown = await run(["--profile", "nope", "pending"]);
    const traversal = await run(["--profile", "../work", "pending"]);

    // Assess
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('no profile "nope"');
    expect(traversal).toMatchObject({ code: 2 });
  });

  it("whoami shows the profile, the URL, the credentials' source and the server's view", async () => {
    // Act
    const me = await run(["--profile", "work", "whoami", "--json"]);

    // Assess
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({
      profile: "work",
      url: urlA,
      credentials: { source: "profile" },
      identity: { kind: "human", id: "alice", admin: false },
    });
  });

  it("logout forgets the credentials, revokes a Cognito refresh token and keeps the URL", async () => {
    // Prepare
    const revoked: { token: string; clientId: string }[] = [];
    await run(
      ["--profile", "cognito", "--url", urlA, "login", "--username", "alice", "--password-stdin"],
      {
        stdin: Readable.from(["pw\n"]),
        initiateAuth: async () => ({
          $metadata: {},
          AuthenticationResult: { IdToken: "id-1", RefreshToken: "refresh-1", ExpiresIn: 3600 },
        }),
      },
      { GATES_COGNITO_CLIENT_ID: "client", GATES_COGNITO_REGION: "eu-west-1" },
    );

    // Act
    const out = await run(["--profile", "cognito", "logout"], {
      revokeToken: async (input) => {
        revoked.push(input);
      },
    });
    await run(["--profile", "cognito", "pending"]);

    // Assess
    expect(out.code).toBe(0);
    expect(revoked).toEqual([{ token: "refresh-1", clientId: "client" }]);
    expect(apiA.calls.at(-1)?.headers.authorization).toBeUndefined();
    const file = JSON.parse(await readFile(join(config, "profiles/cognito.json"), "utf8"));
    expect(file).toEqual({ url: urlA, cognito: { client_id: "client", region: "eu-west-1" } });
  });

  it("lists the profiles with their URLs", async () => {
    // Act
    const list = jsonOf(await run(["profiles", "--json"], {}, { GATES_PROFILE: "work" }));

    // Assess
    expect(list.items).toEqual([
      { name: "cognito", url: urlA, credentials: "no credentials", current: false },
      { name: "work", url: urlA, credentials: "token", current: true },
    ]);
  });
});

describe("gates whoami against the control plane", () => {
  it("names an admin as the server identified them", async () => {
    // Act
    const me = jsonOf(await gates(h.plane.url, "local:admin:root", ["whoami", "--json"]));

    // Assess
    expect(me).toMatchObject({
      credentials: { source: "GATES_TOKEN" },
      identity: { kind: "human", id: "root", admin: true },
    });
  });
});
