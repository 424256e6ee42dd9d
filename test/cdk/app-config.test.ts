import { RemovalPolicy } from "aws-cdk-lib";
import { stackPropsFromContext } from "../../cdk/app-config";

const reader = (context: Record<string, unknown>) => (key: string) => context[key];

describe("stackPropsFromContext", () => {
  it("defaults to retained tables, IAM on shared routes, a new pool and no Slack", () => {
    // Act
    const props = stackPropsFromContext(reader({ userPoolId: "", alarmEmail: "", slackChannel: "" }));

    // Assess
    expect(props).toEqual({
      removalPolicy: RemovalPolicy.RETAIN,
      mixedRouteAuth: "iam",
      humanMfa: "optional",
    });
  });

  it("reads webhook endpoints from context, as JSON text or as an array, with secret names only", () => {
    const endpoints = [
      { id: "ops", url: "https://hooks.example.com/gates", secret_name: "gates/webhooks/ops" },
    ];
    const expected = [
      { id: "ops", url: "https://hooks.example.com/gates", secretName: "gates/webhooks/ops" },
    ];

    expect(stackPropsFromContext(reader({ webhooks: JSON.stringify(endpoints) })).webhooks).toEqual(expected);
    expect(stackPropsFromContext(reader({ webhooks: endpoints })).webhooks).toEqual(expected);
  });

  it.each([
    ["a secret itself", [{ id: "ops", url: "https://h.example", secret: "s".repeat(32) }], /secret_name/],
    ["plain http", [{ id: "ops", url: "http://h.example", secret_name: "n" }], /https/],
    ["text that is not JSON", "[{", /JSON array/],
  ])("refuses webhooks with %s, naming the context key", (_name, webhooks, message) => {
    expect(() => stackPropsFromContext(reader({ webhooks }))).toThrow(message);
  });

  it("reads every setting", () => {
    // Act
    const props = stackPropsFromContext(
      reader({
        userPoolId: "eu-west-1_AbC123",
        alarmEmail: "ops@example.com",
        slackBotTokenSecretName: "gates/slack/bot",
        slackSigningSecretName: "gates/slack/signing",
        slackChannel: "C0123",
        removalPolicy: "destroy",
        mixedRouteAuth: "cognito",
        humanMfa: "required",
        throttleRateLimit: "20",
        throttleBurstLimit: 40,
        criticalSignInMaxAgeMinutes: "5",
        hostedUiDomainPrefix: "acme-gates",
        console: "false",
        waitConcurrency: "200",
        evaluateConcurrency: 100,
        lambdaConcurrencyQuota: "1000",
        webAclRatePerIp: "2000",
        tracing: "true",
      }),
    );

    // Assess
    expect(props).toEqual({
      existingUserPoolId: "eu-west-1_AbC123",
      alarmEmail: "ops@example.com",
      slack: {
        botTokenSecretName: "gates/slack/bot",
        signingSecretName: "gates/slack/signing",
        channel: "C0123",
      },
      removalPolicy: RemovalPolicy.DESTROY,
      mixedRouteAuth: "cognito",
      humanMfa: "required",
      throttle: { rateLimit: 20, burstLimit: 40 },
      criticalSignInMaxAgeMin: 5,
      hostedUiDomainPrefix: "acme-gates",
      console: false,
      concurrency: { wait: 200, evaluate: 100 },
      lambdaConcurrencyQuota: 1000,
      webAclRatePerIp: 2000,
      tracing: true,
    });
  });

  it.each([
    [{ removalPolicy: "snapshot" }, /removalPolicy/],
    [{ mixedRouteAuth: "both" }, /mixedRouteAuth/],
    [{ humanMfa: "sometimes" }, /humanMfa/],
    [{ alarmEmail: "not-an-email" }, /alarmEmail/],
    [{ userPoolId: "pool" }, /userPoolId/],
    [{ slackChannel: "C0123" }, /Slack needs all of/],
    [{ throttleRateLimit: "-1" }, /throttleRateLimit/],
    [{ criticalSignInMaxAgeMinutes: "0" }, /criticalSignInMaxAgeMinutes/],
    [{ criticalSignInMaxAgeMinutes: 2000 }, /criticalSignInMaxAgeMinutes/],
    [{ hostedUiDomainPrefix: "Acme_Gates" }, /hostedUiDomainPrefix/],
    [{ console: "maybe" }, /console/],
    [{ waitConcurrency: "lots" }, /waitConcurrency/],
    [{ tracing: "yes" }, /tracing/],
  ])("stops on a bad setting %p", (context, message) => {
    // Act, Assess
    expect(() => stackPropsFromContext(reader(context))).toThrow(message);
  });
});
