import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTask, type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER } from "../../support/gates-client";
import { gates, jsonOf } from "./run-cli";

/** `gates repos settings show|push`, `gates lock|unlock|locks` and the doctor's settings check. */

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ settings: false });
  dir = await mkdtemp(join(tmpdir(), "gates-cli-gov-"));
});
afterAll(() => h.stop());

const as = (token: string, argv: string[]) => gates(h.plane.url, token, argv);

describe("gates repos settings", () => {
  it("pushes a YAML file as the next version and shows where a repo's settings come from", async () => {
    // Prepare
    const file = join(dir, "settings.yaml");
    await writeFile(
      file,
      ["approvers:", "  users: [bob, carol]", "  groups: [release]", "approvals_required: 2", ""].join("\n"),
    );

    // Act
    const pushed = await as(ADMIN, ["repos", "settings", "push", "cli/*", file]);
    const shown = await as(OWNER, ["repos", "settings", "show", "CLI/App"]);
    const json = jsonOf(await as(AGENT, ["--json", "repos", "settings", "show", "cli/app"]));

    // Assess
    expect(pushed).toMatchObject({ code: 0, stdout: "Published settings of cli/* version 1.\n" });
    expect(shown.stdout).toMatch(/repo\s+cli\/app/);
    expect(shown.stdout).toMatch(/from\s+cli\/\* version 1 by root/);
    expect(shown.stdout).toMatch(/approvers\s+bob, carol/);
    expect(shown.stdout).toMatch(/groups\s+release/);
    expect(shown.stdout).toMatch(/approvals\s+2/);
    expect(json).toMatchObject({ layer: "cli/*", version: 1, settings: { approvals_required: 2 } });
  });

  it("prints every problem of a rejected file and exits 1, and shows warnings of an accepted one", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(
      bad,
      JSON.stringify({ approvers: { users: ["bob"] }, approval_timeout_s: { default: 900, max: 60 } }),
    );
    const rejected = await as(ADMIN, ["repos", "settings", "push", "cli/bad", bad]);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain("FAIL");
    expect(rejected.stdout).toMatch(/approval_timeout_s\.default\s+900 is over approval_timeout_s\.max/);

    const lax = join(dir, "lax.json");
    await writeFile(lax, JSON.stringify({ owner_approves: true }));
    const warned = await as(ADMIN, ["repos", "settings", "push", "cli/lax", lax]);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain("warning: allowed_owners is");
  });

  it("is refused to a human who is not an admin", async () => {
    const file = join(dir, "plain.json");
    await writeFile(file, "{}");
    const run = await as(OWNER, ["repos", "settings", "push", "cli/app", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("FORBIDDEN");
  });
});

describe("gates lock, locks and unlock", () => {
  it("locks a repo so its agent is denied, lists the lock, lifts it, and verifies the lock ledger", async () => {
    // Prepare
    const taskId = await createTask(h.client, { repo: "cli/locked" });
    await h.client.as(ADMIN).put("/v1/repos/cli%2Flocked/settings", { owner_approves: true });

    // Act
    const locked = jsonOf(
      await as(ADMIN, ["--json", "lock", "repo:cli/locked", "--reason", "rotating keys"]),
    );
    const evaluation = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/tool-calls`, { tool_name: "Read", tool_input: { file_path: "a" } });
    const listed = await as(OWNER, ["locks"]);
    const unlocked = await as(ADMIN, ["unlock", String(locked.lock_id), "--reason", "done"]);
    const ledger = await as(OWNER, ["locks", "--events", "--verify"]);

    // Assess
    expect(evaluation.body).toMatchObject({ decision: "DENY", source: "lock" });
    expect(listed.stdout).toMatch(new RegExp(`${locked.lock_id}\\s+repo:cli/locked\\s+root`));
    expect(listed.stdout).toContain("rotating keys");
    expect(unlocked.stdout).toBe(`Lifted ${locked.lock_id} on repo:cli/locked.\n`);
    expect(ledger.code).toBe(0);
    expect(ledger.stdout).toMatch(/lock\.placed\s+human:root/);
    expect(ledger.stdout).toMatch(/lock\.lifted\s+human:root/);
    expect(ledger.stdout).toContain("OK chain verified: 2 events");
    expect((await as(OWNER, ["locks"])).stdout).toBe("No locks in force.\n");
  });

  it("refuses a target it cannot read before anything is sent", async () => {
    const run = await as(ADMIN, ["lock", "everything", "--reason", "x"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("'all', 'repo:<owner/name or owner/*>' or 'agent:<agent id or glob>'");
  });
});

describe("gates doctor and the default settings", () => {
  it("warns on the local default, where an agent names the approving owner", async () => {
    const run = await gates(h.plane.url, undefined, ["doctor"]);
    expect(run.stdout).toMatch(
      /WARN\s+default settings\s+the deployment's default lets agents name approvers/,
    );
    expect(run.code).toBe(0);
  });

  it("is content under the strict default, and says when its human cannot approve", async () => {
    const strict = await startHarness({ settings: false, defaultSettings: "strict" });
    try {
      const run = await gates(strict.plane.url, undefined, ["doctor"]);
      expect(run.stdout).toMatch(
        /OK\s+default settings\s+the deployment's default: agents cannot name approvers/,
      );
      // The doctor's human is not a gates-approver, and the doctor says so instead of a bare 404.
      expect(run.stdout).toMatch(
        /FAIL\s+approval round-trips\s+.*not among the task's approvers, group gates-approvers/,
      );
    } finally {
      await strict.stop();
    }
  });
});
