import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN } from "../lambdas/core/control-plane/fresh-sign-in";
import { HANDLER_GROUPS, type HandlerGroup, ROUTES } from "../lambdas/routes";
import { CedarLayer, ShellParserLayer } from "./constructs/cedar-layer";
import { ChannelFanout, type WebhookEndpointProps } from "./constructs/channel-fanout";
import { type ApiDoor, GatesApi, type ThrottleSettings } from "./constructs/gates-api";
import { GatesConsole } from "./constructs/gates-console";
import { GatesFunction } from "./constructs/gates-function";
import { GatesIdentity, type GatesIdentityProps } from "./constructs/gates-identity";
import { GatesMonitoring } from "./constructs/gates-monitoring";
import { acknowledgeNag } from "./constructs/nag";
import type { MixedRouteAuth } from "./constructs/route-authorization";
import { StreamConsumerMapping } from "./constructs/stream-consumer";
import { grantTableAccess } from "./constructs/table-grants";
import { GatesTables } from "./constructs/tables";
import { API_FUNCTIONS, BACKGROUND_FUNCTIONS, type FunctionSpec } from "./function-catalog";

/** Slack settings, handed to the functions that will talk to Slack. */
export interface SlackSettings {
  /** Secrets Manager name of the bot token. */
  readonly botTokenSecretName: string;
  /** Secrets Manager name of the signing secret. */
  readonly signingSecretName: string;
  /** The channel id approval requests are posted to. */
  readonly channel: string;
}

/**
 * Lambda concurrency for the paths that must not starve each other. A reservation is also the
 * function's limit, and Lambda keeps 100 of the account's concurrency unreserved, so none of these
 * can deploy in an account whose quota is under 100 + their sum (new accounts may start at 10).
 */
export interface ConcurrencySettings {
  /**
   * The long-poll function's own limit: at most this many agents hold a wait at once. The wait
   * door's API throttle is then sized to it, so waits past the limit are refused by API Gateway
   * with a 429 (which the SDK waits out) before Lambda would refuse them.
   * @default none: waits draw from the unreserved pool, bounded only by the wait door's throttle
   */
  readonly wait?: number;
  /** Reserved for the evaluate function (the agent API). @default none */
  readonly evaluate?: number;
  /** Reserved for the decide function (the human API: approve, deny, cancel). @default none */
  readonly decide?: number;
}

/** Props of {@link ApprovalGatesStack}. */
export interface ApprovalGatesStackProps extends StackProps {
  /** An existing user pool for humans (with a `gates-admins` group). @default a new pool */
  readonly existingUserPoolId?: string;
  /** Slack settings. @default Slack is off; notifications are only visible through the API and CLI */
  readonly slack?: SlackSettings;
  /** Signed webhook endpoints requests are delivered to. @default none */
  readonly webhooks?: readonly WebhookEndpointProps[];
  /** An email address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Whether a new user pool requires MFA. @default "optional" (see GatesIdentityProps.mfa) */
  readonly humanMfa?: "required" | "optional";
  /** What happens to the tables and a new user pool when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** How routes shared by agents and humans authenticate. @default "iam" (humans use identity-pool credentials) */
  readonly mixedRouteAuth?: MixedRouteAuth;
  /** Throttling of each method without a door budget of its own. @default 50 requests per second, burst 100 */
  readonly throttle?: ThrottleSettings;
  /** Budgets of the API's doors. @default the public and Slack doors, the 404 mocks and the long-poll have their own */
  readonly doorThrottles?: Readonly<Partial<Record<ApiDoor, ThrottleSettings>>>;
  /** Reserved and limited Lambda concurrency. @default nothing reserved, so the stack deploys in any account */
  readonly concurrency?: ConcurrencySettings;
  /**
   * The account's Lambda concurrency quota in the region, when known: reservations that would not
   * fit in it stop the synth instead of failing the deploy. @default unchecked
   */
  readonly lambdaConcurrencyQuota?: number;
  /** A WAF web ACL limiting each client IP to this many requests per 5 minutes. @default no web ACL */
  readonly webAclRatePerIp?: number;
  /** X-Ray tracing of the API and every function, with Powertools Tracer in the bundles. @default false */
  readonly tracing?: boolean;
  /** How old, in minutes, the sign-in behind a critical approval may be. @default 10 */
  readonly criticalSignInMaxAgeMin?: number;
  /** The Hosted UI's Cognito domain prefix. @default one made of the stack's path and the account id */
  readonly hostedUiDomainPrefix?: string;
  /** OIDC or SAML identity providers the Hosted UI offers. @default none */
  readonly identityProviders?: GatesIdentityProps["identityProviders"];
  /** Deploy the web console (S3 and CloudFront). @default true */
  readonly console?: boolean;
}

/** Lambda's floor of unreserved concurrency, which reservations may not dip into. */
const UNRESERVED_FLOOR = 100;

/**
 * The whole control plane in one stack: tables, the REST API and its functions, the Cedar layer,
 * the Events-stream consumers, the reconciler on a one-minute schedule, identity, dashboard and alarms.
 */
export class ApprovalGatesStack extends Stack {
  /** The REST API and its routes. */
  readonly api: GatesApi;
  /** The user pool, app client and identity pool for humans. */
  readonly identity: GatesIdentity;
  /** The dashboard, alarms and alarm topic. */
  readonly monitoring: GatesMonitoring;
  /** The approver's web console, unless turned off. */
  readonly console?: GatesConsole;

  constructor(scope: Construct, id: string, props: ApprovalGatesStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const criticalSignInMaxAgeMin = props.criticalSignInMaxAgeMin ?? DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN;
    const tracing = props.tracing ?? false;
    const concurrency = checkedConcurrency(props.concurrency ?? {}, props.lambdaConcurrencyQuota);
    const tables = new GatesTables(this, "Tables", { removalPolicy });
    // Built only when a function evaluates policies; the others never see Cedar or the parser.
    let policyLayers: { cedar: CedarLayer["layer"]; shellParser: ShellParserLayer["layer"] } | undefined;
    const layersFor = (spec: FunctionSpec) => {
      if (!spec.evaluates) return {};
      policyLayers ??= {
        cedar: new CedarLayer(this, "Cedar").layer,
        shellParser: new ShellParserLayer(this, "ShellParser").layer,
      };
      return { policyLayers };
    };
    const functionFor = (
      name: string,
      spec: FunctionSpec,
      reservedConcurrency?: number,
      environment: Record<string, string> = {},
    ) => {
      const gates = new GatesFunction(this, name, {
        spec,
        tables,
        tracing,
        ...layersFor(spec),
        ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
        environment: {
          GATES_VERSION: this.node.tryGetContext("gatesVersion") ?? "dev",
          // Repos without published settings: the named owner only watches, gates-approvers decide.
          GATES_DEFAULT_SETTINGS: "strict",
          ...environment,
        },
      });
      if (tracing) acknowledgeXrayWildcard(gates.role);
      return gates;
    };

    const reservations: Partial<Record<HandlerGroup, number>> = {
      ...(concurrency.wait !== undefined ? { wait: concurrency.wait } : {}),
      ...(concurrency.evaluate !== undefined ? { agent: concurrency.evaluate } : {}),
      ...(concurrency.decide !== undefined ? { human: concurrency.decide } : {}),
    };
    // The functions that decide requests check how fresh a critical approver's sign-in is.
    const decides: readonly HandlerGroup[] = ["human", "slack"];
    const apiFunctions = byGroup((group) => {
      const fn = functionFor(
        `Api${capitalize(group)}`,
        API_FUNCTIONS[group],
        reservations[group],
        decides.includes(group)
          ? { GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN: String(criticalSignInMaxAgeMin) }
          : {},
      ).fn;
      grantTableAccess(fn, group, tables);
      return fn;
    });
    // Slack's webhooks check signatures with the signing secret and open the deny modal with the bot token.
    if (props.slack) configureSlack(this, apiFunctions.slack, props.slack);
    // Pending lists are read by humans and by Slack's `/gates pending`; both sign their page tokens.
    signPageTokens(this, [apiFunctions.human, apiFunctions.slack]);

    const reconciler = functionFor("Reconciler", BACKGROUND_FUNCTIONS.reconciler);
    grantTableAccess(reconciler.fn, "reconciler", tables);
    new Rule(this, "ReconcileEveryMinute", {
      description: "Times out PENDING approval requests past their deadline",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(reconciler.fn, { retryAttempts: 0 })],
    });

    // Each Events-stream consumer gets its own mapping and dead-letter queue; the channel fan-out joins here.
    const metricsPublisher = functionFor("MetricsPublisher", BACKGROUND_FUNCTIONS.metricsPublisher);
    const metricsStream = new StreamConsumerMapping(this, "MetricsStream", {
      consumer: metricsPublisher.fn,
      table: tables.events,
    });
    const webhooks = props.webhooks ?? [];
    const channelFanout =
      props.slack || webhooks.length > 0
        ? new ChannelFanout(this, "ChannelFanout", {
            tables,
            ...(props.slack
              ? {
                  slack: { botTokenSecretName: props.slack.botTokenSecretName, channel: props.slack.channel },
                }
              : {}),
            webhooks,
            tracing,
            environment: { GATES_VERSION: this.node.tryGetContext("gatesVersion") ?? "dev" },
          })
        : undefined;

    this.identity = new GatesIdentity(this, "Identity", {
      ...(props.existingUserPoolId ? { existingUserPoolId: props.existingUserPoolId } : {}),
      ...(props.humanMfa ? { mfa: props.humanMfa } : {}),
      ...(props.hostedUiDomainPrefix ? { hostedUiDomainPrefix: props.hostedUiDomainPrefix } : {}),
      ...(props.identityProviders ? { identityProviders: props.identityProviders } : {}),
      removalPolicy,
    });
    this.api = new GatesApi(this, "Api", {
      routes: ROUTES,
      handlers: apiFunctions,
      userPool: this.identity.userPool,
      ...(props.mixedRouteAuth ? { mixedRouteAuth: props.mixedRouteAuth } : {}),
      ...(props.throttle
        ? { throttleRateLimit: props.throttle.rateLimit, throttleBurstLimit: props.throttle.burstLimit }
        : {}),
      doorThrottles: {
        ...(concurrency.wait !== undefined ? { wait: waitDoorFor(concurrency.wait) } : {}),
        ...props.doorThrottles,
      },
      ...(props.webAclRatePerIp !== undefined
        ? { webAcl: { ratePerIpPer5Minutes: props.webAclRatePerIp } }
        : {}),
      tracing,
    });
    this.identity.allowHumansToInvoke(this.api.mixedIamMethods);
    if (props.console !== false) {
      this.console = new GatesConsole(this, "Console", {
        api: this.api.api,
        identity: this.identity,
        mixedRouteAuth: props.mixedRouteAuth ?? "iam",
        criticalSignInMaxAgeMin,
      });
    }

    this.monitoring = new GatesMonitoring(this, "Monitoring", {
      api: this.api.api,
      functions: {
        ...Object.fromEntries(HANDLER_GROUPS.map((g) => [`api-${g}`, apiFunctions[g]])),
        reconciler: reconciler.fn,
        "metrics-publisher": metricsPublisher.fn,
        ...(channelFanout ? { "channel-fanout": channelFanout.fn } : {}),
      },
      reconciler: reconciler.fn,
      decisionFunctions: {
        Evaluate: apiFunctions.agent,
        Decide: apiFunctions.human,
        SlackDecide: apiFunctions.slack,
        Wait: apiFunctions.wait,
      },
      streamConsumers: {
        MetricsPublisher: metricsPublisher.fn,
        ...(channelFanout ? { ChannelFanout: channelFanout.fn } : {}),
      },
      eventsTable: tables.events,
      deadLetterQueues: {
        MetricsPublisher: metricsStream.deadLetterQueue,
        ...(channelFanout ? { ChannelFanout: channelFanout.deadLetterQueue } : {}),
      },
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.api.url, description: "Set GATES_URL to this" });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, "IdentityPoolId", { value: this.identity.identityPool.identityPoolId });
    new CfnOutput(this, "HostedUiUrl", {
      value: this.identity.hostedUiUrl,
      description: "GATES_HOSTED_UI_URL for gates login --web",
    });
    if (this.console)
      new CfnOutput(this, "ConsoleUrl", { value: this.console.url, description: "Open this to approve" });
    new CfnOutput(this, "DashboardName", { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, "AlarmTopicArn", { value: this.monitoring.topic.topicArn });
  }
}

/** One value per route group, built in the manifest's order so construct ids are stable. */
function byGroup<T>(make: (group: HandlerGroup) => T): Record<HandlerGroup, T> {
  return Object.fromEntries(HANDLER_GROUPS.map((group) => [group, make(group)])) as Record<HandlerGroup, T>;
}

/**
 * The reservations, checked: whole positive numbers that, with the quota known, leave Lambda its
 * unreserved floor.
 */
function checkedConcurrency(settings: ConcurrencySettings, quota: number | undefined): ConcurrencySettings {
  const entries = Object.entries(settings).filter(([, n]) => n !== undefined) as [string, number][];
  for (const [name, n] of entries) {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`Concurrency for ${name} must be a whole number of at least 1, got ${n}.`);
  }
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (quota !== undefined && total > 0 && total > quota - UNRESERVED_FLOOR) {
    throw new Error(
      `Reserving ${total} concurrent executions needs a Lambda concurrency quota of at least ${total + UNRESERVED_FLOOR} (Lambda keeps ${UNRESERVED_FLOOR} unreserved); the account has ${quota}. Lower the reservations or raise the quota.`,
    );
  }
  return settings;
}

/**
 * The wait door's throttle for a long-poll limit: a poll holds a function for up to 25 s, so about
 * `burst + 25 × rate` polls run at once; this keeps that under the limit, and API Gateway answers
 * 429 (retried by the SDK) before Lambda would refuse the call.
 */
export function waitDoorFor(limit: number): ThrottleSettings {
  // API Gateway takes fractional rates, so a small limit gets a small rate rather than one per second.
  return {
    rateLimit: Math.max(0.01, Math.floor(((limit * 0.7) / 25) * 100) / 100),
    burstLimit: Math.max(1, Math.floor(limit * 0.25)),
  };
}

/** X-Ray accepts trace segments on no resource but `*`; tracing adds that statement to a role. */
function acknowledgeXrayWildcard(role: Construct): void {
  acknowledgeNag(
    role,
    "IAM5[Resource::*]",
    "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN; active tracing grants them on *.",
  );
}

/** The Slack settings as environment, and read access to exactly the two secrets. */
function configureSlack(scope: Construct, fn: NodejsFunction, slack: SlackSettings): void {
  const token = Secret.fromSecretNameV2(scope, "SlackBotToken", slack.botTokenSecretName);
  const signing = Secret.fromSecretNameV2(scope, "SlackSigningSecret", slack.signingSecretName);
  token.grantRead(fn);
  signing.grantRead(fn);
  fn.addEnvironment("SLACK_BOT_TOKEN_SECRET_NAME", slack.botTokenSecretName);
  fn.addEnvironment("SLACK_SIGNING_SECRET_NAME", slack.signingSecretName);
  fn.addEnvironment("SLACK_CHANNEL", slack.channel);
}

/**
 * One generated key for every function that lists an inbox, so a `next_token` made by one instance
 * works on all of them, and nobody but the API can make one.
 */
function signPageTokens(scope: Construct, functions: readonly NodejsFunction[]): void {
  const key = new Secret(scope, "PageTokenKey", {
    description: "Approval Gates: signs the next_token of GET /v1/pending",
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
  });
  acknowledgeNag(
    key,
    "SMG4",
    "The key only signs page positions that are used within seconds; changing it costs an in-flight listing one 400, so it needs no rotation schedule.",
  );
  for (const fn of functions) {
    // Read with the Secrets Manager SDK, like Slack's secrets.
    key.grantRead(fn);
    fn.addEnvironment("GATES_PAGE_TOKEN_SECRET_ID", key.secretArn);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
