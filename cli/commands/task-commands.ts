import { readFile } from "node:fs/promises";
import type { TaskView } from "../../contracts/api";
import { type ChainCheck, verifyChain, verifyLedger } from "../../lambdas/core/ledger";
import { lazyModule } from "../../sdk/lazy-module";
import type { LedgerEvent } from "../../sdk/types";
import type { CommandContext } from "../cli-context";
import { CheckFailed, type CliIo, clean, cut, type Output, UsageError } from "../cli-io";
import { intervalMs, ndjson, pause } from "../watch";
import type { Register } from "./register";

// zod loads with `gates verify`, not at start-up.
const ledgerExport = lazyModule(() => require("./ledger-export") as typeof import("./ledger-export"));

/** How often `events --watch` asks for new events, unless `--interval` says otherwise. */
const EVENTS_REFRESH_S = 2;
/** Events after which a task changes no more, so `events --watch` stops. */
const FINAL_EVENTS: ReadonlySet<string> = new Set(["task.finished", "task.cancelled"]);

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
    ["approvers", [...task.approvers, ...task.approver_groups.map((g) => `group ${g}`)].join(", ") || "none"],
    ["agent", task.agent_id],
    ["description", task.description ?? ""],
    ["read only", String(task.read_only)],
    [
      "policy",
      task.policy_layers.length === 0
        ? "built-ins only"
        : task.policy_layers.map((l) => `${l.layer}@${l.version}`).join(" + "),
    ],
    [
      "settings",
      task.settings.layer === "default"
        ? "deployment default"
        : `${task.settings.layer}@${task.settings.version}`,
    ],
    ["tool calls", `${task.counters.tool_calls} of ${task.max_tool_calls}`],
    ["approvals", `${task.counters.approvals_requested} of ${task.approval_gate_cap} asked`],
    ["pending", task.pending_request_ids.join(", ") || "none"],
    ["created", task.created_at],
    ["updated", task.updated_at],
  ];
  for (const [key, value] of rows) out.line(`${key.padEnd(12)}${clean(value)}`);
  out.line(`grants${" ".repeat(6)}${task.grants.length === 0 ? "none" : ""}`);
  for (const g of task.grants) {
    const by = g.approved_by && g.approved_by.length > 1 ? g.approved_by.join(", ") : g.granted_by.id;
    out.line(`  ${clean(g.scope)} by ${clean(g.granted_by.kind)} ${clean(by)} at ${clean(g.granted_at)}`);
  }
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

/** One event as a line that lines up with the next, for a stream that cannot be laid out as a table. */
function eventLine(e: LedgerEvent): string {
  const actor = clean(`${e.actor.kind}:${e.actor.id}`);
  return `${String(e.seq).padStart(5)}  ${clean(e.at)}  ${clean(e.type).padEnd(20)}  ${cut(actor, 28).padEnd(28)}  ${cut(clean(summarize(e)), 70)}`;
}

/**
 * `events --watch`: prints the ledger, then each new event as it is appended (NDJSON with
 * `--json`), until the task ends or the signal fires. With `--verify` the chain is checked as
 * it grows; a break ends the watch with exit 1.
 */
async function followEvents(
  ctx: CommandContext,
  task: string,
  options: { verify: boolean; everyMs: number },
) {
  const { out, io } = ctx;
  const stop = io.signal ?? new AbortController().signal;
  const seen: LedgerEvent[] = [];
  // The ledger read first must reach the task's head; later batches only have to chain on.
  const start = options.verify ? await ctx.client.verifyLedger(task) : undefined;
  let check: ChainCheck | undefined = start?.check;
  for (let batch = start?.events ?? (await ctx.client.events(task)); ; ) {
    seen.push(...batch);
    for (const e of batch) io.stdout.write(out.json ? ndjson(e) : `${eventLine(e)}\n`);
    if (check && !check.ok) {
      if (out.json) io.stdout.write(ndjson({ verify: check }));
      else out.line(`${out.paint("FAIL")} chain broken at seq ${check.seq}: ${check.problem}`);
      throw new CheckFailed(`chain broken at seq ${check.seq}`);
    }
    if (batch.some((e) => FINAL_EVENTS.has(e.type)) || stop.aborted) return;
    await pause(options.everyMs, stop);
    if (stop.aborted) return;
    batch = await ctx.client.events(task, { afterSeq: seen.at(-1)?.seq ?? 0 });
    check = options.verify && batch.length > 0 ? verifyChain([...seen, ...batch]) : undefined;
  }
}

function printCheck(out: Output, check: ChainCheck, count: number): void {
  if (check.ok) out.line(`\n${out.paint("OK")} chain verified: ${count} events, up to the task's last event`);
  else out.line(`\n${out.paint("FAIL")} chain broken at seq ${check.seq}: ${clean(check.problem)}`);
}

async function readAll(stdin: CliIo["stdin"]): Promise<string> {
  if (stdin === undefined) throw new UsageError("no standard input to read; name a file instead of -");
  let text = "";
  for await (const chunk of stdin) text += String(chunk);
  return text;
}

/** `task`, `events`, `verify`, `cancel`, `grants revoke`. */
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
    .option("--verify", "check the hash chain against the task's last event; exit 1 naming the first bad seq")
    .option("--watch", "follow the task: print new events as they come (NDJSON with --json) until it ends")
    .option("--interval <seconds>", `how often --watch asks for new events (default ${EVENTS_REFRESH_S})`)
    .action(
      action(async (ctx, task: string, options: { verify?: boolean; watch?: boolean; interval?: string }) => {
        const { out } = ctx;
        if (options.watch)
          return followEvents(ctx, task, {
            verify: options.verify === true,
            everyMs: intervalMs(options.interval, EVENTS_REFRESH_S),
          });
        const { check, events, head } = await ctx.client.verifyLedger(task);
        // The head travels with a --json export, so `gates verify` can check the copy later.
        if (out.json) out.data({ items: events, head, ...(options.verify ? { verify: check } : {}) });
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
          if (options.verify) printCheck(out, check, events.length);
        }
        if (options.verify && !check.ok) throw new CheckFailed(`chain broken at seq ${check.seq}`);
      }),
    );

  program
    .command("verify <file>")
    .description("check exported events (gates --json events <task> > file; - reads stdin) with no server")
    .option("--head-seq <n>", "the task's last_event_seq, for events exported without their head")
    .option("--head-hash <hash>", "the task's last_event_hash, with --head-seq")
    .action(
      action(async (ctx, file: string, options: { headSeq?: string; headHash?: string }) => {
        const { out } = ctx;
        const text = file === "-" ? await readAll(ctx.io.stdin) : await readFile(file, "utf8");
        const { events, head } = ledgerExport().readLedgerExport(text, options);
        const check = verifyLedger(events, head);
        if (out.json) out.data({ verify: check, head, events: events.length });
        else printCheck(out, check, events.length);
        if (!check.ok) throw new CheckFailed(`chain broken at seq ${check.seq}`);
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
