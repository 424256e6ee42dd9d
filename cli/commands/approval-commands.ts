import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { ApprovalView, PendingItem } from "../../contracts/api";
import type { CommandContext } from "../cli-context";
import { clean, countdown, cut, type Output, UsageError } from "../cli-io";
import { intervalMs, ndjson, pause } from "../watch";
import type { Register } from "./register";

/** How often `pending --watch` asks the server again, unless `--interval` says otherwise. */
const WATCH_REFRESH_S = 5;

function pendingTable(out: Output, items: readonly PendingItem[], now = Date.now()): string {
  if (items.length === 0) return "No pending approvals.";
  return out.table(
    ["TASK", "REQUEST", "SEVERITY", "DEADLINE", "APPROVALS", "TOOL", "INPUT", "RULES"],
    items.map((i) => [
      clean(i.task_id),
      clean(i.request_id),
      out.paint(clean(i.severity)),
      countdown(i.expires_at, now),
      clean(i.progress),
      clean(i.tool_name),
      cut(clean(i.tool_input_preview), 60),
      clean(i.rule_ids.join(",")),
    ]),
  );
}

/** Prints an approval as `key value` lines (or JSON). */
function printApproval(out: Output, view: ApprovalView): void {
  if (out.json) {
    out.data(view);
    return;
  }
  const rows: [string, string | undefined][] = [
    ["task", view.task_id],
    ["request", view.request_id],
    ["status", view.status],
    ["tool", view.tool_name],
    ["input", view.tool_input_preview],
    ["rules", view.rule_ids.join(", ")],
    ["severity", view.severity],
    ["approvals", `${view.progress}${view.approver_not_owner ? ", not the task's owner" : ""}`],
    ["reason", view.reason],
    ["created", view.created_at],
    [
      "expires",
      view.status === "PENDING" ? `${view.expires_at} (${countdown(view.expires_at)})` : view.expires_at,
    ],
    ["decided", view.decided_at && `${view.decided_at} by ${view.decided_by ?? "?"} via ${view.via ?? "?"}`],
    ["scope", view.scope],
    ["deny reason", view.deny_reason],
  ];
  for (const [key, value] of rows) {
    if (value === undefined) continue;
    const shown = key === "severity" ? out.paint(clean(value)) : clean(value);
    out.line(`${key.padEnd(12)}${shown}`);
  }
}

interface WatchOptions {
  readonly repo?: string;
  readonly everyMs: number;
}

/** Redraws the pending table until the signal fires, refetching every `everyMs`. */
async function watchPending(ctx: CommandContext, options: WatchOptions): Promise<void> {
  const { out, io } = ctx;
  const stop = io.signal ?? new AbortController().signal;
  const fetch = () => ctx.client.pending(options.repo ? { repo: options.repo } : {});
  let items = await fetch();
  let fetchedAt = Date.now();
  while (!stop.aborted) {
    if (Date.now() - fetchedAt >= options.everyMs) {
      items = await fetch();
      fetchedAt = Date.now();
    }
    const live = items.filter((i) => Date.parse(i.expires_at) > Date.now());
    // Home and clear the screen so the table redraws in place; a pipe gets plain frames.
    const frame = `${pendingTable(out, live)}\n\n${new Date().toISOString()} · refreshes every ${options.everyMs / 1000} s · Ctrl-C to quit`;
    out.io.stdout.write(io.stdout.isTTY ? `\x1b[H\x1b[2J${frame}\n` : `${frame}\n`);
    await pause(1000, stop);
  }
}

/**
 * `pending --watch --json`: one JSON object per line for each request that appears
 * (`"change":"added"`) or leaves the list, decided or expired (`"change":"removed"`), until
 * the signal fires. The first poll reports every pending request as added.
 */
async function streamPending(ctx: CommandContext, options: WatchOptions): Promise<void> {
  const stop = ctx.io.signal ?? new AbortController().signal;
  const key = (i: PendingItem) => `${i.task_id}\u0000${i.request_id}`;
  let known = new Map<string, PendingItem>();
  while (!stop.aborted) {
    const items = await ctx.client.pending(options.repo ? { repo: options.repo } : {});
    const at = new Date().toISOString();
    const current = new Map(items.map((i) => [key(i), i]));
    for (const [k, item] of current)
      if (!known.has(k)) ctx.io.stdout.write(ndjson({ change: "added", at, item }));
    for (const [k, item] of known)
      if (!current.has(k)) ctx.io.stdout.write(ndjson({ change: "removed", at, item }));
    known = current;
    await pause(options.everyMs, stop);
  }
}

/** `pending`, `show`, `approve`, `deny`. */
export const registerApprovalCommands: Register = (program: Command, action) => {
  program
    .command("pending")
    .description("the approvals you can decide, soonest deadline first")
    .option("--watch", "follow the list (a live table, or NDJSON changes with --json); Ctrl-C exits")
    .option("--interval <seconds>", `how often --watch asks the server (default ${WATCH_REFRESH_S})`)
    .option("--repo <repo>", "only this repo")
    .action(
      action(async (ctx, options: { watch?: boolean; repo?: string; interval?: string }) => {
        const everyMs = intervalMs(options.interval, WATCH_REFRESH_S);
        const watch = { everyMs, ...(options.repo ? { repo: options.repo } : {}) };
        if (options.watch) return ctx.out.json ? streamPending(ctx, watch) : watchPending(ctx, watch);
        const items = await ctx.client.pending(options.repo ? { repo: options.repo } : {});
        if (ctx.out.json) return ctx.out.data({ items });
        ctx.out.line(pendingTable(ctx.out, items));
      }),
    );

  program
    .command("show <task> <request>")
    .description("one approval request in full")
    .action(
      action(async (ctx, task: string, request: string) => {
        printApproval(ctx.out, await ctx.client.getApproval(task, request));
      }),
    );

  program
    .command("approve <task> <request>")
    .description("approve a request")
    .option("--scope <scope>", "this_call (default), tool:<name>, command:<glob>, rule:<id> or all_session")
    .option("--yes", "confirm a scope as wide as all_session")
    .action(
      action(async (ctx, task: string, request: string, options: { scope?: string; yes?: boolean }) => {
        if (options.scope === "all_session" && !options.yes)
          throw new UsageError(
            "--scope all_session allows every call for the rest of the task; add --yes to confirm",
          );
        const view = await ctx.client.approve(task, request, options.scope);
        if (ctx.out.json) return ctx.out.data(view);
        if (view.status === "PENDING")
          ctx.out.line(
            `Approval recorded for ${clean(view.request_id)} (${clean(view.tool_name)}): ${clean(view.progress)}; it waits for more.`,
          );
        else
          ctx.out.line(
            `Approved ${clean(view.request_id)} (${clean(view.tool_name)}) with scope ${clean(view.scope ?? "this_call")}.`,
          );
      }),
    );

  program
    .command("deny <task> <request>")
    .description("deny a request; the reason reaches the agent")
    .option("--reason <text>", "why")
    .option("--reason-file <file>", "read the reason from a file")
    .action(
      action(
        async (ctx, task: string, request: string, options: { reason?: string; reasonFile?: string }) => {
          if (options.reason !== undefined && options.reasonFile !== undefined)
            throw new UsageError("give --reason or --reason-file, not both");
          const reason =
            options.reasonFile !== undefined
              ? (await readFile(options.reasonFile, "utf8")).trim()
              : options.reason;
          const view = await ctx.client.deny(task, request, reason);
          if (ctx.out.json) return ctx.out.data(view);
          ctx.out.line(`Denied ${clean(view.request_id)} (${clean(view.tool_name)}).`);
        },
      ),
    );
};
