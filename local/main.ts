import { parseArgs } from "node:util";
import { readCriticalSignInMaxAge } from "../lambdas/adapters/config";
import { readSlackInboundConfig } from "../lambdas/adapters/slack/inbound/slack-inbound-config";
import { DynamoDbLocalError } from "./dynamodb-local";
import { localSlackFromEnv, localWebhooksFromEnv, startLocalControlPlane } from "./local-control-plane";

/** `npm start`: the local control plane in the foreground until Ctrl-C. */
async function main(): Promise<void> {
  // Node 20 is supported; the SDK's notice about its future releases only clutters the console.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { values } = parseArgs({
    options: {
      "in-memory": { type: "boolean", default: false },
      "data-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: npm start [-- --in-memory | --data-dir DIR]\n  GATES_PORT  the API port (default 3000)\n  GATES_DEFAULT_SETTINGS  local (default: the named owner approves) or strict\n  GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN  how old a sign-in may be to approve a critical request (default 10)\n  GATES_WEBHOOKS  signed webhook endpoints, a JSON array (docs/webhooks.md)\n  data is kept in .gates/ unless --data-dir names another directory",
    );
    return;
  }
  const port = Number(process.env.GATES_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`GATES_PORT "${process.env.GATES_PORT}" is not a port number.`);
  }
  const started = Date.now();
  const slack = localSlackFromEnv(process.env);
  const slackInboundConfig = readSlackInboundConfig(process.env);
  const webhooks = localWebhooksFromEnv(process.env);
  const defaults = process.env.GATES_DEFAULT_SETTINGS ?? "local";
  if (defaults !== "local" && defaults !== "strict") {
    throw new Error(`GATES_DEFAULT_SETTINGS "${defaults}" is not "local" or "strict".`);
  }
  const criticalSignInMaxAgeMin = readCriticalSignInMaxAge(process.env);
  const plane = await startLocalControlPlane({
    port,
    ...(slack ? { slackFanout: slack } : {}),
    slackInboundConfig,
    webhooks,
    inMemory: values["in-memory"],
    defaultSettings: defaults,
    ...(criticalSignInMaxAgeMin ? { criticalSignInMaxAgeMin } : {}),
    ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
    notify: (text) => process.stdout.write(`${text}\n`),
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await plane.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  const u = plane.url;
  console.log(`
Approval Gates — local control plane, ready in ${((Date.now() - started) / 1000).toFixed(1)} s
  Console   ${u}/   (local mode: pick an identity, nothing is authenticated)
  API       ${u}
  DynamoDB  ${plane.dynamoEndpoint} ${values["in-memory"] ? "(in memory)" : `(data in ${values["data-dir"] ?? ".gates/"})`}
  Settings  ${defaults === "local" ? "local default: the owner an agent names approves (GATES_DEFAULT_SETTINGS=strict for the deployed default)" : "strict default: gates-approvers decide"}
  Slack     ${slack ? `posting to ${slack.channel}${slack.apiUrl ? ` via ${slack.apiUrl}` : ""}` : "off (set SLACK_BOT_TOKEN and SLACK_CHANNEL to post approval requests)"}
  Webhooks  ${webhooks.length > 0 ? webhooks.map((w) => `${w.id} → ${w.url}`).join(", ") : "off (set GATES_WEBHOOKS, see docs/webhooks.md)"}
  Tokens    agent  Authorization: Bearer local:agent:agent-1
            human  Authorization: Bearer local:human:alice
            admin  Authorization: Bearer local:admin:admin
  Try       curl -s ${u}/v1/health
            curl -s -X POST ${u}/v1/tasks -H 'authorization: Bearer local:agent:agent-1' \\
              -H 'content-type: application/json' -d '{"task_id":"demo","owner":"alice","repo":"acme/app"}'
Approval requests appear below. Ctrl-C stops everything.
`);
}

main().catch((error: unknown) => {
  const message =
    error instanceof DynamoDbLocalError || error instanceof Error ? error.message : String(error);
  const inUse = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
  console.error(
    inUse ? `Port ${process.env.GATES_PORT ?? 3000} is in use; set GATES_PORT to a free port.` : message,
  );
  process.exit(1);
});
