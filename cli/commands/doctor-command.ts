import { randomBytes } from "node:crypto";
import { agentsNameApprovers } from "../../lambdas/core/governance/settings";
import { GatesApiError } from "../../sdk/gates-api-error";
import type { GatesClient } from "../../sdk/gates-client";
import { lazyModule } from "../../sdk/lazy-module";
import type { CommandContext } from "../cli-context";
import { CheckFailed, clean } from "../cli-io";
import type { Register } from "./register";

type Status = "OK" | "WARN" | "FAIL" | "SKIP";

/** One line of the doctor's report. */
export interface DoctorCheck {
  readonly name: string;
  readonly status: Status;
  readonly detail: string;
}

// zod loads when the doctor runs, not at start-up.
const jwtClaimsSchema = lazyModule(() => {
  const { z } = require("zod") as typeof import("zod");
  return z.object({ sub: z.string().min(1) });
});

/** The human id a token stands for: `local:human:<id>`, or a Cognito id token's `sub`. */
export function humanIdOfToken(token: string): string | undefined {
  const bare = token.replace(/^bearer\s+/i, "");
  const local = /^local:(?:human|admin):(\S+)$/.exec(bare);
  if (local) return local[1];
  const payload = bare.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = jwtClaimsSchema().safeParse(
      JSON.parse(Buffer.from(payload, "base64url").toString("utf8")),
    );
    return claims.success ? claims.data.sub : undefined;
  } catch {
    return undefined;
  }
}

const describe = (error: unknown) =>
  error instanceof GatesApiError
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);

/** Runs the checks in order; a check that cannot run because an earlier one failed is skipped. */
async function runChecks(
  agent: GatesClient,
  human: GatesClient,
  humanId: string,
  full: boolean,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const record = async (name: string, check: () => Promise<string>): Promise<boolean> => {
    try {
      checks.push({ name, status: "OK", detail: await check() });
      return true;
    } catch (error) {
      checks.push({ name, status: "FAIL", detail: describe(error) });
      return false;
    }
  };
  const skip = (name: string, detail: string) => checks.push({ name, status: "SKIP", detail });

  await record("health", async () => `version ${(await agent.health()).version}`);
  await settingsCheck(agent, checks);
  const taskId = `doctor-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  let approvers: readonly string[] = [];
  const created = await record("agent registers a task", async () => {
    const task = await agent.createTask({
      task_id: taskId,
      owner: humanId,
      repo: DOCTOR_REPO,
      approval_timeout_s: 120,
    });
    approvers = [...task.approvers, ...task.approver_groups.map((g) => `group ${g}`)];
    return `${taskId}, owned by ${humanId}; approvers: ${approvers.join(", ") || "none"}`;
  });
  if (!created) {
    for (const name of [
      "hard rule denies",
      "soft rule asks",
      "agent cannot approve",
      "approval round-trips",
      "ledger verifies",
    ])
      skip(name, "needs the task");
    return checks;
  }
  await record("hard rule denies", async () => {
    const e = await agent.evaluate(taskId, { tool_name: "Bash", tool_input: { command: "rm -rf /" } });
    if (e.decision !== "DENY") throw new Error(`rm -rf / got ${e.decision}`);
    return `rm -rf / → DENY (${e.rule_ids.join(",") || e.source})`;
  });
  let requestId: string | undefined;
  await record("soft rule asks", async () => {
    const e = await agent.evaluate(taskId, {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    if (e.decision !== "REQUIRE_APPROVAL" || !e.request_id)
      throw new Error(`git push --force got ${e.decision}`);
    requestId = e.request_id;
    return `git push --force → REQUIRE_APPROVAL (${e.rule_ids.join(",")})`;
  });
  if (requestId === undefined) {
    skip("agent cannot approve", "needs a request");
    skip("approval round-trips", "needs a request");
  } else {
    const rid = requestId;
    await record("agent cannot approve", async () => {
      try {
        await agent.approve(taskId, rid);
      } catch (error) {
        if (error instanceof GatesApiError && error.status === 403) return "403 FORBIDDEN";
        throw error;
      }
      throw new Error("an agent token approved its own request");
    });
    await record("approval round-trips", async () => {
      const waiting = agent.waitForDecision(taskId, rid, { deadlineMs: Date.now() + 20_000 });
      const started = Date.now();
      await human.approve(taskId, rid).catch((error: unknown) => {
        // Nobody will decide now; the abandoned wait must not surface later as an unhandled failure.
        waiting.catch(() => undefined);
        if (approvers.includes(humanId)) throw error;
        throw new Error(
          `${describe(error)} (the human token is not among the task's approvers, ${approvers.join(", ") || "none"}; use one that is, or publish settings for ${DOCTOR_REPO})`,
        );
      });
      const seen = await waiting;
      if (seen.status !== "APPROVED") throw new Error(`the agent saw ${seen.status}`);
      return `human approved; the waiting agent saw APPROVED in ${Date.now() - started} ms`;
    });
  }
  if (full) await record("timeout denies", () => timeoutDenies(agent, humanId, taskId));
  else skip("timeout denies", "takes 30 s, the shortest approval timeout; run `gates doctor --full`");
  await record("ledger verifies", async () => {
    const { check, events } = await human.verifyLedger(taskId);
    if (!check.ok) throw new Error(`chain broken at seq ${check.seq}: ${check.problem}`);
    return `${events.length} events, hash chain intact up to the task's last event`;
  });
  skip("slack", "not visible through the API; see the deployment's configuration");
  // Leave nothing running behind; a failure here is not a finding.
  await human.cancel(taskId, "gates doctor finished").catch(() => undefined);
  return checks;
}

/** The repo the doctor's tasks run in. */
const DOCTOR_REPO = "gates-doctor/check";

/**
 * Warns when the settings a repo without its own get let an agent name anyone, itself included,
 * as the human who approves: fine on a laptop, a hole in a deployment.
 */
async function settingsCheck(agent: GatesClient, checks: DoctorCheck[]): Promise<void> {
  const name = "default settings";
  try {
    const view = await agent.settings(DOCTOR_REPO);
    const where = view.layer === "default" ? "the deployment's default" : `${view.layer}@${view.version}`;
    if (agentsNameApprovers(view.settings))
      checks.push({
        name,
        status: "WARN",
        detail: `${where} lets agents name approvers (any owner, and the owner approves); publish settings with gates repos settings push '*' <file>`,
      });
    else checks.push({ name, status: "OK", detail: `${where}: agents cannot name approvers` });
  } catch (error) {
    checks.push({ name, status: "FAIL", detail: describe(error) });
  }
}

/** An unanswered request times out into a denial, and the same call is then refused for a while. */
async function timeoutDenies(agent: GatesClient, humanId: string, taskId: string): Promise<string> {
  const timeoutTask = `${taskId}-timeout`;
  await agent.createTask({
    task_id: timeoutTask,
    owner: humanId,
    repo: DOCTOR_REPO,
    approval_timeout_s: 30,
  });
  const call = { tool_name: "Bash", tool_input: { command: "git push --force origin main" } };
  const asked = await agent.evaluate(timeoutTask, call);
  if (asked.decision !== "REQUIRE_APPROVAL" || !asked.request_id)
    throw new Error(`the push got ${asked.decision}`);
  const seen = await agent.waitForDecision(timeoutTask, asked.request_id, {
    deadlineMs: Date.now() + 60_000,
  });
  if (seen.status !== "TIMED_OUT") throw new Error(`the unanswered request ended ${seen.status}`);
  const again = await agent.evaluate(timeoutTask, call);
  if (again.decision !== "DENY") throw new Error(`asking again right after got ${again.decision}`);
  return `unanswered for 30 s → TIMED_OUT; asking again → DENY (${again.source})`;
}

async function doctor(
  ctx: CommandContext,
  options: { agentToken: string; humanToken: string; full?: boolean },
): Promise<void> {
  const humanId = humanIdOfToken(options.humanToken);
  const agent = ctx.clientWithToken(options.agentToken);
  const human = ctx.clientWithToken(options.humanToken);
  const checks = humanId
    ? await runChecks(agent, human, humanId, options.full === true)
    : [{ name: "human token", status: "FAIL" as const, detail: "cannot tell whose token --human-token is" }];
  const ok = checks.every((c) => c.status !== "FAIL");
  const { out } = ctx;
  if (out.json) out.data({ url: ctx.url, ok, checks });
  else {
    out.line(`gates doctor · ${clean(ctx.url)}`);
    for (const c of checks)
      out.line(
        `${out.paint(c.status)}${" ".repeat(5 - c.status.length)}${c.name.padEnd(24)}${clean(c.detail)}`,
      );
  }
  if (!ok) throw new CheckFailed("doctor found problems");
}

/** `doctor`: checks a control plane end to end with an agent and a human token. */
export const registerDoctorCommand: Register = (program, action) => {
  program
    .command("doctor")
    .description("check a control plane end to end, one line per check")
    .option("--agent-token <token>", "an agent's token", "local:agent:doctor")
    .option("--human-token <token>", "a human's token; the doctor's task is theirs", "local:human:doctor")
    .option("--full", "also wait 30 s for an approval to time out into a denial")
    .action(
      action(async (ctx, options: { agentToken: string; humanToken: string; full?: boolean }) =>
        doctor(ctx, options),
      ),
    );
};
