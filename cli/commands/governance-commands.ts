import { readFile } from "node:fs/promises";
import YAML from "yaml";
import { z } from "zod";
import type { LockTarget, RepoSettingsBody, SettingsView } from "../../contracts/governance";
import { verifyChain } from "../../lambdas/core/ledger";
import { GatesApiError } from "../../sdk/gates-api-error";
import { CheckFailed, clean, cut, type Output, UsageError } from "../cli-io";
import type { Register } from "./register";

const ProblemsSchema = z.array(z.object({ field: z.string(), message: z.string() }));

/** Prints the problems of a rejected settings document, one row per problem. */
function printProblems(out: Output, error: GatesApiError): void {
  const parsed = ProblemsSchema.safeParse(error.details?.problems);
  const problems = parsed.success ? parsed.data : [];
  if (out.json) {
    out.data({ error: { code: error.code, message: error.message, problems } });
    return;
  }
  const rows = problems.map((p) => [clean(p.field), clean(p.message)]);
  out.line(`${out.paint("FAIL")} ${clean(error.message)}\n${out.table(["FIELD", "PROBLEM"], rows)}`);
}

function printSettings(out: Output, view: SettingsView): void {
  if (out.json) {
    out.data(view);
    return;
  }
  const s = view.settings;
  const from =
    view.layer === "default"
      ? "the deployment's default (no settings published)"
      : `${view.layer} version ${view.version}${view.published_by ? ` by ${view.published_by} at ${view.published_at}` : ""}`;
  const none = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));
  const rows: [string, string][] = [
    ["repo", view.repo_id],
    ["from", from],
    ["approvers", none(s.approvers.users)],
    ["groups", none(s.approvers.groups)],
    ["owners", none(s.allowed_owners)],
    ["owner approves", String(s.owner_approves)],
    ["pre-grants", none(s.pre_grantable_scopes)],
    ["agents", none(s.allowed_agents)],
    ["timeout", `${s.approval_timeout_s.default} s (at most ${s.approval_timeout_s.max} s)`],
    ["approvals", String(s.approvals_required)],
  ];
  for (const [key, value] of rows) out.line(`${key.padEnd(16)}${clean(value)}`);
}

/** `repos settings show|push`, `lock`, `unlock`, `locks`. */
export const registerGovernanceCommands: Register = (program, action) => {
  const repos = program.command("repos").description("what admins decide for repos");
  const settings = repos
    .command("settings")
    .description("who approves, who may be owner, what agents may pre-grant");

  settings
    .command("show <repo>")
    .description("the settings new tasks of a repo (or acme/*, *) register under, and where they come from")
    .action(
      action(async (ctx, repo: string) => {
        printSettings(ctx.out, await ctx.client.settings(repo));
      }),
    );

  settings
    .command("push <repo> <file>")
    .description("publish a JSON or YAML settings file as the next version of a repo, acme/* or * (admins)")
    .action(
      action(async (ctx, repo: string, file: string) => {
        const text = await readFile(file, "utf8");
        let body: unknown;
        try {
          body = YAML.parse(text);
        } catch (error) {
          throw new UsageError(
            `${file} is not JSON or YAML: ${error instanceof Error ? error.message : error}`,
          );
        }
        try {
          const view = await ctx.client.publishSettings(repo, body as RepoSettingsBody);
          if (ctx.out.json) return ctx.out.data(view);
          ctx.out.line(`Published settings of ${clean(view.layer)} version ${view.version}.`);
          for (const w of view.warnings ?? []) ctx.out.line(`warning: ${clean(w)}`);
        } catch (error) {
          if (!(error instanceof GatesApiError) || error.code !== "SETTINGS_INVALID") throw error;
          printProblems(ctx.out, error);
          throw new CheckFailed("settings rejected");
        }
      }),
    );

  program
    .command("lock <target>")
    .description(
      "stop every evaluation of matching tasks: all, repo:<owner/name or owner/*>, agent:<id or glob> (admins)",
    )
    .requiredOption("--reason <text>", "why; agents and approvers are shown it")
    .option("--expires-in <seconds>", "lift it by itself after this long")
    .option("--cancel-pending", "also cancel the pending requests of the tasks it stops")
    .action(
      action(
        async (
          ctx,
          target: string,
          options: { reason: string; expiresIn?: string; cancelPending?: boolean },
        ) => {
          const expires = options.expiresIn === undefined ? undefined : Number(options.expiresIn);
          if (expires !== undefined && !Number.isInteger(expires))
            throw new UsageError("--expires-in takes a whole number of seconds");
          const view = await ctx.client.placeLock({
            target: target as LockTarget,
            reason: options.reason,
            ...(expires !== undefined ? { expires_in_s: expires } : {}),
            ...(options.cancelPending ? { cancel_pending: true } : {}),
          });
          if (ctx.out.json) return ctx.out.data(view);
          const cancelled =
            view.cancelled_requests !== undefined
              ? `; ${view.cancelled_requests} pending request(s) cancelled`
              : "";
          ctx.out.line(`Locked ${clean(view.target)} as ${clean(view.lock_id)}${cancelled}.`);
        },
      ),
    );

  program
    .command("unlock <lock_id>")
    .description("lift a lock; the tasks it stopped are judged as before (admins)")
    .option("--reason <text>", "a note for the lock ledger")
    .action(
      action(async (ctx, lockId: string, options: { reason?: string }) => {
        const view = await ctx.client.liftLock(lockId, options.reason);
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(`Lifted ${clean(view.lock_id)} on ${clean(view.target)}.`);
      }),
    );

  program
    .command("locks")
    .description("the locks in force; --events for the lock ledger")
    .option("--events", "every lock placed, lifted or expired")
    .option("--verify", "with --events: recompute the ledger's hash chain; exit 1 naming the first bad seq")
    .action(
      action(async (ctx, options: { events?: boolean; verify?: boolean }) => {
        const { out } = ctx;
        if (options.verify && !options.events) throw new UsageError("--verify goes with --events");
        if (!options.events) {
          const locks = await ctx.client.locks();
          if (out.json) return out.data({ items: locks });
          if (locks.length === 0) return out.line("No locks in force.");
          return out.line(
            out.table(
              ["LOCK", "TARGET", "BY", "SINCE", "UNTIL", "REASON"],
              locks.map((l) => [
                clean(l.lock_id),
                clean(l.target),
                clean(l.placed_by),
                clean(l.placed_at),
                clean(l.expires_at ?? "lifted by hand"),
                cut(clean(l.reason), 60),
              ]),
            ),
          );
        }
        const events = await ctx.client.lockEvents();
        const check = options.verify ? verifyChain(events) : undefined;
        if (out.json) out.data({ items: events, ...(check ? { verify: check } : {}) });
        else {
          out.line(
            out.table(
              ["SEQ", "AT", "TYPE", "BY", "LOCK", "TARGET"],
              events.map((e) => [
                String(e.seq),
                clean(e.at),
                clean(e.type),
                clean(`${e.actor.kind}:${e.actor.id}`),
                clean(e.data.lock_id),
                clean(e.data.target),
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
};
