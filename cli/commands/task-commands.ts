import type { TaskView } from "../../contracts/api";
import { verifyChain } from "../../lambdas/core/ledger";
import type { LedgerEvent } from "../../sdk/types";
import { CheckFailed, clean, cut, type Output } from "../cli-io";
import type { Register } from "./register";

function printTask(out: Output, task: TaskView): void {
  if (out.json) {
    out.data(task);
    return;
  }
  const rows: [string, string][] = [
    ["task", task.task_id],
    ["status", task.status],
    ["repo", task.repo],
    ["owner", task.owner],
    ["approvers", task.approvers.join(", ")],
    ["agent", task.agent_id],
    ["description", task.description ?? ""],
    ["read only", String(task.read_only)],
    ["policy", `version ${task.policy_version}`],
    ["tool calls", `${task.counters.tool_calls} of ${task.max_tool_calls}`],
    ["approvals", `${task.counters.approvals_requested} of ${task.approval_gate_cap} asked`],
    ["pending", task.pending_request_ids.join(", ") || "none"],
    ["created", task.created_at],
    ["updated", task.updated_at],
  ];
  for (const [key, value] of rows) out.line(`${key.padEnd(12)}${clean(value)}`);
  out.line(`grants${" ".repeat(6)}${task.grants.length === 0 ? "none" : ""}`);
  for (const g of task.grants)
    out.line(`  ${clean(g.scope)} by ${clean(g.granted_by)} at ${clean(g.granted_at)}`);
}

/** What an event is about, in a few words. */
function summarize(e: LedgerEvent): string {
  const d = e.data;
  const pick = (key: string) =>
    typeof d[key] === "string" || typeof d[key] === "number" ? String(d[key]) : "";
  return [pick("tool_name"), pick("decision"), pick("status"), pick("scope"), pick("request_id")]
    .filter(Boolean)
    .join(" ");
}

/** `task`, `events`, `cancel`, `grants revoke`. */
export const registerTaskCommands: Register = (program, action) => {
  program
    .command("task <task>")
    .description("a task's state, grants and counters")
    .action(
      action(async (ctx, task: string) => {
        printTask(ctx.out, await ctx.client.task(task));
      }),
    );

  program
    .command("events <task>")
    .description("the task's hash-chained ledger")
    .option("--verify", "recompute the hash chain; exit 1 naming the first bad seq")
    .action(
      action(async (ctx, task: string, options: { verify?: boolean }) => {
        const { out } = ctx;
        const events = await ctx.client.events(task);
        const check = options.verify ? verifyChain(events) : undefined;
        if (out.json) out.data({ items: events, ...(check ? { verify: check } : {}) });
        else {
          out.line(
            out.table(
              ["SEQ", "AT", "TYPE", "ACTOR", "WHAT"],
              events.map((e) => [
                String(e.seq),
                clean(e.at),
                clean(e.type),
                clean(`${e.actor.kind}:${e.actor.id}`),
                cut(clean(summarize(e)), 70),
              ]),
            ),
          );
          if (check?.ok) out.line(`\n${out.paint("OK")} chain verified: ${events.length} events`);
          else if (check)
            out.line(`\n${out.paint("FAIL")} chain broken at seq ${check.seq}: ${check.problem}`);
        }
        if (check && !check.ok) throw new CheckFailed(`chain broken at seq ${check.seq}`);
      }),
    );

  program
    .command("cancel <task>")
    .description("kill switch: cancel the task and every pending request")
    .option("--reason <text>", "why")
    .action(
      action(async (ctx, task: string, options: { reason?: string }) => {
        const view = await ctx.client.cancel(task, options.reason);
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(`Cancelled ${clean(view.task_id)}; status ${clean(view.status)}.`);
      }),
    );

  const grants = program.command("grants").description("grants a task holds");
  grants
    .command("revoke <task> <scope>")
    .description("drop a grant; later calls are judged without it")
    .action(
      action(async (ctx, task: string, scope: string) => {
        const view = await ctx.client.revokeGrant(task, scope);
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(`Revoked ${clean(scope)} on ${clean(view.task_id)}.`);
      }),
    );
};
