import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { ApprovalView, PendingItem } from "../../contracts/api";
import type { CommandContext } from "../cli-context";
import { clean, countdown, cut, type Output, UsageError } from "../cli-io";
import type { Register } from "./register";

const WATCH_REFRESH_MS = 5000;

function pendingTable(out: Output, items: readonly PendingItem[], now = Date.now()): string {
  if (items.length === 0) return "No pending approvals.";
  return out.table(
    ["TASK", "REQUEST", "SEVERITY", "DEADLINE", "TOOL", "INPUT", "RULES"],
    items.map((i) => [
      clean(i.task_id),
      clean(i.request_id),
      out.paint(clean(i.severity)),
      countdown(i.expires_at, now),
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

/** Redraws the pending table until the signal fires, refetching now and then. */
async function watchPending(ctx: CommandContext): Promise<void> {
  const { out, io } = ctx;
  const stop = io.signal ?? new AbortController().signal;
  let items = await ctx.client.pending();
  let fetchedAt = Date.now();
  while (!stop.aborted) {
    if (Date.now() - fetchedAt >= WATCH_REFRESH_MS) {
      items = await ctx.client.pending();
      fetchedAt = Date.now();
    }
    const live = items.filter((i) => Date.parse(i.expires_at) > Date.now());
    // Home and clear the screen so the table redraws in place; a pipe gets plain frames.
    const frame = `${pendingTable(out, live)}\n\n${new Date().toISOString()} · refreshes every 5 s · Ctrl-C to quit`;
    out.io.stdout.write(io.stdout.isTTY ? `\x1b[H\x1b[2J${frame}\n` : `${frame}\n`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      stop.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/** `pending`, `show`, `approve`, `deny`. */
export const registerApprovalCommands: Register = (program: Command, action) => {
  program
    .command("pending")
    .description("the approvals you can decide, soonest deadline first")
    .option("--watch", "redraw every second with live countdowns; Ctrl-C exits")
    .option("--repo <repo>", "only this repo")
    .action(
      action(async (ctx, options: { watch?: boolean; repo?: string }) => {
        if (options.watch && !ctx.out.json) return watchPending(ctx);
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
