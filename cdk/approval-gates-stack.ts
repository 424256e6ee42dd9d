import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN } from "../lambdas/core/control-plane/fresh-sign-in";
import { type HandlerGroup, ROUTES } from "../lambdas/routes";
import { CedarLayer, ShellParserLayer } from "./constructs/cedar-layer";
import { GatesApi } from "./constructs/gates-api";
import { GatesConsole } from "./constructs/gates-console";
import { GatesFunction } from "./constructs/gates-function";
import { GatesIdentity, type GatesIdentityProps } from "./constructs/gates-identity";
import { GatesMonitoring } from "./constructs/gates-monitoring";
import { acknowledgeNag } from "./constructs/nag";
import type { MixedRouteAuth } from "./constructs/route-authorization";
import { addSecretsExtension } from "./constructs/secrets-extension";
import { SlackFanout } from "./constructs/slack-fanout";
import { StreamConsumerMapping } from "./constructs/stream-consumer";
import { grantTableAccess } from "./constructs/table-grants";
import { GatesTables } from "./constructs/tables";

/** Slack settings, handed to the functions that will talk to Slack. */
export interface SlackSettings {
  /** Secrets Manager name of the bot token. */
  readonly botTokenSecretName: string;
  /** Secrets Manager name of the signing secret. */
  readonly signingSecretName: string;
  /** The channel id approval requests are posted to. */
  readonly channel: string;
}

/** Props of {@link ApprovalGatesStack}. */
export interface ApprovalGatesStackProps extends StackProps {
  /** An existing user pool for humans (with a `gates-admins` group). @default a new pool */
  readonly existingUserPoolId?: string;
  /** Slack settings. @default Slack is off; notifications are only visible through the API and CLI */
  readonly slack?: SlackSettings;
  /** An email address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Whether a new user pool requires MFA. @default "optional" (see GatesIdentityProps.mfa) */
  readonly humanMfa?: "required" | "optional";
  /** What happens to the tables and a new user pool when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** How routes shared by agents and humans authenticate. @default "iam" (humans use identity-pool credentials) */
  readonly mixedRouteAuth?: MixedRouteAuth;
  /** Stage throttling, requests per second and burst. @default 50 and 100 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** How old, in minutes, the sign-in behind a critical approval may be. @default 10 */
  readonly criticalSignInMaxAgeMin?: number;
  /** The Hosted UI's Cognito domain prefix. @default one made of the stack's path and the account id */
  readonly hostedUiDomainPrefix?: string;
  /** OIDC or SAML identity providers the Hosted UI offers. @default none */
  readonly identityProviders?: GatesIdentityProps["identityProviders"];
  /** Deploy the web console (S3 and CloudFront). @default true */
  readonly console?: boolean;
}

const API_GROUPS: readonly HandlerGroup[] = ["public", "agent", "human", "shared", "policies", "slack"];

/** One value per route group, built in a fixed order so construct ids are stable. */
function byGroup<T>(make: (group: HandlerGroup) => T): Record<HandlerGroup, T> {
  return {
    public: make("public"),
    agent: make("agent"),
    human: make("human"),
    shared: make("shared"),
    policies: make("policies"),
    slack: make("slack"),
  };
}

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
    const tables = new GatesTables(this, "Tables", { removalPolicy });
    const policyLayers = {
      cedar: new CedarLayer(this, "Cedar").layer,
      shellParser: new ShellParserLayer(this, "ShellParser").layer,
    };
    const functionFor = (
      name: string,
      entry: string,
      purpose: string,
      extra: Partial<{ cedar: boolean; timeout: Duration }> = {},
    ) =>
      new GatesFunction(this, name, {
        entry: `lambdas/handlers/${entry}.ts`,
        purpose,
        tables,
        ...(extra.cedar === false ? {} : { policyLayers }),
        ...(extra.timeout ? { timeout: extra.timeout } : {}),
        environment: {
          GATES_VERSION: this.node.tryGetContext("gatesVersion") ?? "dev",
          // Repos without published settings: the named owner only watches, gates-approvers decide.
          GATES_DEFAULT_SETTINGS: "strict",
          GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN: String(criticalSignInMaxAgeMin),
        },
      });

    // Every API group builds the whole control plane, Cedar included, so each carries the layer.
    const apiFunctions = byGroup((group) => {
      // Long polls for a decision hold a request for up to API Gateway's 29 s limit.
      const fn = functionFor(`Api${capitalize(group)}`, `api-${group}`, `${group} API`, {
        timeout: Duration.seconds(29),
      });
      grantTableAccess(fn.fn, group, tables);
      return fn.fn;
    });
    // Slack's webhooks check signatures with the signing secret and open the deny modal with the bot token.
    if (props.slack) configureSlack(this, apiFunctions.slack, props.slack);
    // Pending lists are read by humans and by Slack's `/gates pending`; both sign their page tokens.
    signPageTokens(this, [apiFunctions.human, apiFunctions.slack]);

    const reconciler = functionFor("Reconciler", "reconciler", "reconciler", {
      timeout: Duration.seconds(50),
    });
    grantTableAccess(reconciler.fn, "reconciler", tables);
    new Rule(this, "ReconcileEveryMinute", {
      description: "Times out PENDING approval requests past their deadline",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(reconciler.fn, { retryAttempts: 0 })],
    });

    // Each Events-stream consumer gets its own mapping and dead-letter queue; the Slack fan-out joins here.
    const metricsPublisher = functionFor("MetricsPublisher", "metrics-publisher", "metrics publisher", {
      cedar: false,
    });
    const metricsStream = new StreamConsumerMapping(this, "MetricsStream", {
      consumer: metricsPublisher.fn,
      table: tables.events,
    });
    const slackFanout = props.slack
      ? new SlackFanout(this, "SlackFanout", {
          tables,
          botTokenSecretName: props.slack.botTokenSecretName,
          channel: props.slack.channel,
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
        ...Object.fromEntries(API_GROUPS.map((g) => [`api-${g}`, apiFunctions[g]])),
        reconciler: reconciler.fn,
        "metrics-publisher": metricsPublisher.fn,
        ...(slackFanout ? { "slack-fanout": slackFanout.fn } : {}),
      },
      reconciler: reconciler.fn,
      deadLetterQueues: {
        MetricsPublisher: metricsStream.deadLetterQueue,
        ...(slackFanout ? { SlackFanout: slackFanout.deadLetterQueue } : {}),
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

/** The Slack settings as environment, and read access to exactly the two secrets. */
function configureSlack(scope: Construct, fn: NodejsFunction, slack: SlackSettings): void {
  const token = Secret.fromSecretNameV2(scope, "SlackBotToken", slack.botTokenSecretName);
  const signing = Secret.fromSecretNameV2(scope, "SlackSigningSecret", slack.signingSecretName);
  token.grantRead(fn);
  signing.grantRead(fn);
  fn.addEnvironment("SLACK_BOT_TOKEN_SECRET_NAME", slack.botTokenSecretName);
  fn.addEnvironment("SLACK_SIGNING_SECRET_NAME", slack.signingSecretName);
  fn.addEnvironment("SLACK_CHANNEL", slack.channel);
  // The signing secret is read from Secrets Manager at run time, through the extension.
  addSecretsExtension(scope, fn);
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
    key.grantRead(fn);
    fn.addEnvironment("GATES_PAGE_TOKEN_SECRET_ID", key.secretArn);
    addSecretsExtension(scope, fn);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
