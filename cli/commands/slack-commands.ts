import { clean } from "../cli-io";
import type { Register } from "./register";

/** `slack link <code>` and `slack unlink`: bind the caller to the Slack account that ran `/gates link`. */
export const registerSlackCommands: Register = (program, action) => {
  const slack = program.command("slack").description("link your Slack account, so its buttons act as you");
  slack
    .command("link <code>")
    .description("link with the one-time code `/gates link` showed in Slack (hyphen and case optional)")
    .action(
      action(async (ctx, code: string) => {
        const view = await ctx.client.linkSlack(code);
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(`Linked Slack user ${clean(view.slack_user_id)} (team ${clean(view.slack_team_id)}).`);
      }),
    );
  slack
    .command("unlink")
    .description("unlink every Slack account linked to you")
    .action(
      action(async (ctx) => {
        const view = await ctx.client.unlinkSlack();
        if (ctx.out.json) return ctx.out.data(view);
        ctx.out.line(
          view.unlinked === 0
            ? "No Slack account was linked."
            : `Unlinked ${view.unlinked} Slack account(s).`,
        );
      }),
    );
};
