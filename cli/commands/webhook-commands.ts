import { readFile } from "node:fs/promises";
import { InvalidArgumentError, Option } from "commander";
import type { WebhookFormat } from "../../lambdas/adapters/webhooks/webhook-config";
import { lazyModule } from "../../sdk/lazy-module";
import { CheckFailed, clean, UsageError } from "../cli-io";
import type { Register } from "./register";

// Loaded by `webhooks test` itself, so other commands do not pay for the payload code.
const signedPost = lazyModule(
  () =>
    require("../../lambdas/adapters/webhooks/signed-post") as typeof import("../../lambdas/adapters/webhooks/signed-post"),
);
const samples = lazyModule(() => require("./webhook-sample") as typeof import("./webhook-sample"));

/** The environment variable `webhooks test` reads the secret from unless `--secret-file` names a file. */
export const WEBHOOK_SECRET_ENV = "GATES_WEBHOOK_SECRET";

/** An endpoint URL worth sending to: http(s), nothing else. */
function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidArgumentError("not an http(s) URL");
  return url.toString();
}

/**
 * `webhooks test <url>`: sends one signed sample `approval.requested` delivery straight from this
 * machine, exactly as the fan-out would (same body, headers and signature), so a receiver can be
 * checked before any deployment points at it. The secret comes from a file or the environment,
 * never from the command line, where other users could read it.
 */
export const registerWebhookCommands: Register = (program, action) => {
  const webhooks = program.command("webhooks").description("check a signed webhook receiver");
  webhooks
    .command("test <url>")
    .description("send a signed sample delivery to a receiver and show its answer")
    .addOption(
      new Option("--format <format>", "the body to send").choices(["json", "adaptive-card"]).default("json"),
    )
    .option("--secret-file <file>", `read the signing secret from a file (default: $${WEBHOOK_SECRET_ENV})`)
    .action(
      action(async (ctx, rawUrl: string, options: { format: WebhookFormat; secretFile?: string }) => {
        const url = endpointUrl(rawUrl);
        const secret = (
          options.secretFile !== undefined
            ? await readFile(options.secretFile, "utf8")
            : (ctx.io.env[WEBHOOK_SECRET_ENV] ?? "")
        ).trim();
        if (!secret)
          throw new UsageError(`give the endpoint's secret in $${WEBHOOK_SECRET_ENV} or --secret-file`);
        const sample = samples().sampleDelivery(options.format, new Date());
        let status: number;
        try {
          status = await signedPost().postSigned({ url, secret }, sample.body, sample.headers, {
            userAgent: "gates-cli",
          });
        } catch (error) {
          const timedOut = error instanceof Error && error.name === "TimeoutError";
          ctx.out.error(
            `${clean(url)} did not answer: ${timedOut ? "timed out after 5 s" : "network error"}.`,
          );
          throw new CheckFailed("no answer");
        }
        const ok = status >= 200 && status < 300;
        if (ctx.out.json) {
          ctx.out.data({ url, status, ok, delivery_id: sample.id, event: "approval.requested" });
        } else {
          ctx.out.line(
            `Sent a signed approval.requested (delivery ${clean(sample.id)}) to ${clean(url)}: HTTP ${status}.`,
          );
        }
        if (!ok) {
          ctx.out.error(
            `The receiver answered HTTP ${status}; it answers 2xx to accept a delivery (check that both ends hold the same secret).`,
          );
          throw new CheckFailed(`HTTP ${status}`);
        }
      }),
    );
};
