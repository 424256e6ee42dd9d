import { RemovalPolicy } from "aws-cdk-lib";
import { parseWebhookEndpoints } from "../lambdas/adapters/webhooks/webhook-config";
import type { ApprovalGatesStackProps } from "./approval-gates-stack";

/** Reads one CDK context value (`cdk.json` or `-c key=value`). */
export type ContextReader = (key: string) => unknown;

/** The context keys the app reads, each optional; see docs/deploy.md. */
export const CONTEXT_KEYS = [
  "userPoolId",
  "alarmEmail",
  "slackBotTokenSecretName",
  "slackSigningSecretName",
  "slackChannel",
  "webhooks",
  "removalPolicy",
  "mixedRouteAuth",
  "humanMfa",
  "throttleRateLimit",
  "throttleBurstLimit",
  "criticalSignInMaxAgeMinutes",
  "hostedUiDomainPrefix",
  "console",
  "waitConcurrency",
  "evaluateConcurrency",
  "decideConcurrency",
  "lambdaConcurrencyQuota",
  "webAclRatePerIp",
  "tracing",
] as const;

/**
 * The stack's props from CDK context, checked up front so a typo stops the synth with the key's name
 * instead of deploying something else. Empty strings count as unset, since `cdk.json` lists every key.
 */
export function stackPropsFromContext(read: ContextReader): ApprovalGatesStackProps {
  const text = (key: (typeof CONTEXT_KEYS)[number]): string | undefined => {
    const value = read(key);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string")
      throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}.`);
    return value;
  };
  const count = (key: (typeof CONTEXT_KEYS)[number]): number | undefined => {
    const value = read(key);
    if (value === undefined || value === null || value === "") return undefined;
    const parsed = typeof value === "number" ? value : Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new Error(`Context "${key}" must be a positive integer.`);
    return parsed;
  };

  const flag = (key: (typeof CONTEXT_KEYS)[number]): boolean => {
    const value = read(key);
    if (value === undefined || value === null || value === "" || value === false || value === "false")
      return false;
    if (value === true || value === "true") return true;
    throw new Error(`Context "${key}" must be true or false, got ${JSON.stringify(value)}.`);
  };

  const removal = text("removalPolicy") ?? "retain";
  if (removal !== "retain" && removal !== "destroy") {
    throw new Error(`Context "removalPolicy" must be "retain" or "destroy", got "${removal}".`);
  }
  const mixed = text("mixedRouteAuth") ?? "iam";
  if (mixed !== "iam" && mixed !== "cognito") {
    throw new Error(`Context "mixedRouteAuth" must be "iam" or "cognito", got "${mixed}".`);
  }
  const mfa = text("humanMfa") ?? "optional";
  if (mfa !== "required" && mfa !== "optional") {
    throw new Error(`Context "humanMfa" must be "required" or "optional", got "${mfa}".`);
  }
  const alarmEmail = text("alarmEmail");
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`Context "alarmEmail" is not an email address: "${alarmEmail}".`);
  }
  const userPoolId = text("userPoolId");
  if (userPoolId !== undefined && !/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new Error(`Context "userPoolId" is not a Cognito user pool id: "${userPoolId}".`);
  }

  const slackKeys = [text("slackBotTokenSecretName"), text("slackSigningSecretName"), text("slackChannel")];
  const [botTokenSecretName, signingSecretName, channel] = slackKeys;
  const slackSet = slackKeys.filter((v) => v !== undefined).length;
  if (slackSet !== 0 && slackSet !== 3) {
    throw new Error(
      "Slack needs all of slackBotTokenSecretName, slackSigningSecretName and slackChannel, or none.",
    );
  }
  const webhooks = webhooksFrom(read("webhooks"));
  const rateLimit = count("throttleRateLimit");
  const burstLimit = count("throttleBurstLimit");
  const maxAge = count("criticalSignInMaxAgeMinutes");
  if (maxAge !== undefined && maxAge > 1440)
    throw new Error('Context "criticalSignInMaxAgeMinutes" must be 1440 (a day) or less.');
  const domainPrefix = text("hostedUiDomainPrefix");
  if (domainPrefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix)) {
    throw new Error(
      `Context "hostedUiDomainPrefix" must be lower-case letters, digits and hyphens: "${domainPrefix}".`,
    );
  }
  const consoleSite = text("console") ?? "true";
  if (consoleSite !== "true" && consoleSite !== "false") {
    throw new Error(`Context "console" must be "true" or "false", got "${consoleSite}".`);
  }
  const concurrency = {
    wait: count("waitConcurrency"),
    evaluate: count("evaluateConcurrency"),
    decide: count("decideConcurrency"),
  };
  const reserved = Object.fromEntries(Object.entries(concurrency).filter(([, n]) => n !== undefined));
  const quota = count("lambdaConcurrencyQuota");
  const webAclRatePerIp = count("webAclRatePerIp");

  return {
    removalPolicy: removal === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    mixedRouteAuth: mixed,
    humanMfa: mfa,
    ...(userPoolId ? { existingUserPoolId: userPoolId } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(botTokenSecretName && signingSecretName && channel
      ? { slack: { botTokenSecretName, signingSecretName, channel } }
      : {}),
    ...(webhooks.length > 0 ? { webhooks } : {}),
    ...(rateLimit || burstLimit
      ? { throttle: { rateLimit: rateLimit ?? 50, burstLimit: burstLimit ?? 100 } }
      : {}),
    ...(maxAge ? { criticalSignInMaxAgeMin: maxAge } : {}),
    ...(domainPrefix ? { hostedUiDomainPrefix: domainPrefix } : {}),
    ...(consoleSite === "false" ? { console: false } : {}),
    ...(Object.keys(reserved).length > 0 ? { concurrency: reserved } : {}),
    ...(quota ? { lambdaConcurrencyQuota: quota } : {}),
    ...(webAclRatePerIp ? { webAclRatePerIp } : {}),
    ...(flag("tracing") ? { tracing: true } : {}),
  };
}

/**
 * Context `webhooks`: a JSON array (or its text, from `-c webhooks=...`) of `{id, url, secret_name,
 * format?}`. A deployment names each secret in Secrets Manager; a secret itself never goes in context.
 */
function webhooksFrom(value: unknown): NonNullable<ApprovalGatesStackProps["webhooks"]> {
  if (value === undefined || value === null || value === "") return [];
  let json = value;
  if (typeof value === "string") {
    try {
      json = JSON.parse(value);
    } catch {
      throw new Error('Context "webhooks" must be a JSON array of {id, url, secret_name, format}.');
    }
  }
  return parseWebhookEndpoints(json, 'Context "webhooks"').map((endpoint) => {
    if (endpoint.secret_name === undefined) {
      throw new Error(
        `Context "webhooks": endpoint "${endpoint.id}" must name its secret with secret_name; a secret never goes in context.`,
      );
    }
    return {
      id: endpoint.id,
      url: endpoint.url,
      secretName: endpoint.secret_name,
      ...(endpoint.format ? { format: endpoint.format } : {}),
    };
  });
}
