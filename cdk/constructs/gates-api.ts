import { CfnElement, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  RequestValidator,
  ResponseType,
  RestApi,
} from "aws-cdk-lib/aws-apigateway";
import type { IUserPool } from "aws-cdk-lib/aws-cognito";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnWebACL, CfnWebACLAssociation } from "aws-cdk-lib/aws-wafv2";
import { Construct } from "constructs";
import type { HandlerGroup, RouteDef } from "../../lambdas/routes";
import { acknowledgeNag } from "./nag";
import { admitsAgentsAndHumans, type MixedRouteAuth, routeAuth } from "./route-authorization";

/** A door of the API: the routes one function serves, or the mocks that answer unknown paths. */
export type ApiDoor = HandlerGroup | "notFound";

/** A token bucket of API Gateway: steady requests per second, and the burst above it. */
export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * The doors with a budget of their own unless told otherwise. API Gateway keeps one bucket per
 * method, so without these every public method and mock would take the stage's full rate, and each
 * request that reaches a function takes Lambda concurrency that evaluation needs. Slack and the
 * public routes see human-paced traffic; the long-poll's rate bounds how many waits run at once
 * (each holds a function for up to 25 s), about `burst + 25 × rate`.
 */
export const DEFAULT_DOOR_THROTTLES: Readonly<Partial<Record<ApiDoor, ThrottleSettings>>> = {
  public: { rateLimit: 10, burstLimit: 20 },
  slack: { rateLimit: 10, burstLimit: 20 },
  notFound: { rateLimit: 5, burstLimit: 10 },
  wait: { rateLimit: 10, burstLimit: 20 },
};

/** An AWS WAF web ACL in front of the stage. */
export interface WebAclSettings {
  /** Requests one IP address may send in any 5 minutes before WAF answers 429 (at least 10). */
  readonly ratePerIpPer5Minutes: number;
}

/** Props of {@link GatesApi}. */
export interface GatesApiProps {
  /** The routes to expose; each is served by the function of its group. */
  readonly routes: readonly RouteDef[];
  /** The function serving each route group. */
  readonly handlers: Readonly<Record<HandlerGroup, IFunction>>;
  /** The user pool whose id tokens the Cognito authorizer accepts. */
  readonly userPool: IUserPool;
  /** How routes open to both agents and humans authenticate. @default "iam" */
  readonly mixedRouteAuth?: MixedRouteAuth;
  /** Steady-state requests per second of each method without a door budget of its own. @default 50 */
  readonly throttleRateLimit?: number;
  /** Burst capacity of each method without a door budget of its own. @default 100 */
  readonly throttleBurstLimit?: number;
  /** Budgets per door, over {@link DEFAULT_DOOR_THROTTLES}. @default those defaults */
  readonly doorThrottles?: Readonly<Partial<Record<ApiDoor, ThrottleSettings>>>;
  /** A web ACL with a rate-based rule per client IP. @default none; API Gateway's throttles only */
  readonly webAcl?: WebAclSettings;
  /** X-Ray tracing of the stage. @default false */
  readonly tracing?: boolean;
  /** The stage name, the first path segment of the URL. @default "prod" */
  readonly stageName?: string;
}

/** API Gateway's own answers, rewritten into the handlers' error envelope and codes. */
const GATEWAY_ERRORS: readonly { type: ResponseType; status: string; code: string; message: string }[] = [
  { type: ResponseType.RESOURCE_NOT_FOUND, status: "404", code: "NOT_FOUND", message: "No such route." },
  // With the catch-all route answering unknown paths, a missing token is what this response means.
  {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: "401",
    code: "UNAUTHENTICATED",
    message: "No credentials: humans send a Cognito token, agents sign the request with SigV4.",
  },
  {
    type: ResponseType.UNAUTHORIZED,
    status: "401",
    code: "UNAUTHENTICATED",
    message: "The token is missing, invalid or expired.",
  },
  {
    type: ResponseType.INVALID_SIGNATURE,
    status: "401",
    code: "UNAUTHENTICATED",
    message: "The SigV4 signature is invalid.",
  },
  {
    type: ResponseType.EXPIRED_TOKEN,
    status: "401",
    code: "UNAUTHENTICATED",
    message: "The credentials have expired.",
  },
  {
    type: ResponseType.ACCESS_DENIED,
    status: "403",
    code: "FORBIDDEN",
    message: "The caller may not call this route.",
  },
  {
    type: ResponseType.THROTTLED,
    status: "429",
    code: "RATE_LIMITED",
    message: "Too many requests; retry with backoff.",
  },
  {
    type: ResponseType.QUOTA_EXCEEDED,
    status: "429",
    code: "RATE_LIMITED",
    message: "The request quota is used up.",
  },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    status: "413",
    code: "PAYLOAD_TOO_LARGE",
    message: "The request is too large.",
  },
  {
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    status: "400",
    code: "VALIDATION_ERROR",
    message: "A required parameter is missing.",
  },
  {
    type: ResponseType.BAD_REQUEST_BODY,
    status: "400",
    code: "VALIDATION_ERROR",
    message: "The request body is invalid.",
  },
  // Any other refusal of API Gateway's is a problem with the request as sent.
  {
    type: ResponseType.DEFAULT_4XX,
    status: "",
    code: "VALIDATION_ERROR",
    message: "The request was rejected.",
  },
  // A function that cannot be invoked (at its concurrency limit, say) is a dependency failure, which
  // agents treat as DENY; API Gateway would otherwise answer 500, as if it were a bug.
  {
    type: ResponseType.INTEGRATION_FAILURE,
    status: "503",
    code: "SERVICE_UNAVAILABLE",
    message: "The service is busy or unavailable; retry with backoff.",
  },
  {
    type: ResponseType.INTEGRATION_TIMEOUT,
    status: "504",
    code: "SERVICE_UNAVAILABLE",
    message: "The request took too long; a long-poll may simply be asked again.",
  },
  {
    type: ResponseType.DEFAULT_5XX,
    status: "",
    code: "INTERNAL_ERROR",
    message: "Internal error; retry later.",
  },
];

/** The error envelope as an API Gateway mapping template, with API Gateway's request id. */
function envelopeTemplate(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, request_id: "$context.requestId" } });
}

/**
 * The REST API, built from the route manifest: each route's method is authorised as
 * {@link routeAuth} says and proxied to its group's function. Unknown paths get the handlers' 404
 * envelope from a mock catch-all, the stage is throttled and logged, and every method validates its
 * path parameters. Bodies are validated (and size-limited) by the handlers against the contract
 * schemas, so the API carries no second copy of them.
 */
export class GatesApi extends Construct {
  /** The REST API; its `url` is the stage URL clients use. */
  readonly api: RestApi;
  /** The methods that humans reach with identity-pool credentials, to be granted to their role. */
  readonly mixedIamMethods: MixedIamMethod[] = [];

  constructor(scope: Construct, id: string, props: GatesApiProps) {
    super(scope, id);
    const mixed = props.mixedRouteAuth ?? "iam";
    const doors = { ...DEFAULT_DOOR_THROTTLES, ...props.doorThrottles };
    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, "Api", {
      restApiName: "approval-gates",
      description: "Approval Gates control plane",
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: props.stageName ?? "prod",
        throttlingRateLimit: props.throttleRateLimit ?? 50,
        throttlingBurstLimit: props.throttleBurstLimit ?? 100,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.tracing ?? false,
        methodOptions: doorMethodOptions(props.routes, doors),
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    if (props.webAcl) {
      this.addWebAcl(props.webAcl);
    } else {
      acknowledgeNag(
        this.api.deploymentStage,
        "APIG3",
        "Every route but health and Slack's signed webhooks is authenticated, and every door is throttled; deploy with a WAF web ACL (webAclRatePerIp) if your organisation requires one.",
      );
    }
    const cloudWatchRole = this.api.node.tryFindChild("CloudWatchRole");
    if (cloudWatchRole) {
      acknowledgeNag(
        cloudWatchRole,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        "API Gateway's account-wide logging role; this AWS managed policy is the documented way to let it write logs.",
      );
    }
    const validator = new RequestValidator(this, "Validator", {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const authorizer = new CognitoUserPoolsAuthorizer(this, "Humans", {
      cognitoUserPools: [props.userPool],
      resultsCacheTtl: Duration.minutes(5),
    });

    const integrations = new Map<HandlerGroup, LambdaIntegration>();
    const integrationOf = (group: HandlerGroup) => {
      const existing = integrations.get(group);
      if (existing) return existing;
      const created = new LambdaIntegration(props.handlers[group]);
      integrations.set(group, created);
      return created;
    };

    for (const route of props.routes) {
      const resource = this.api.root.resourceForPath(route.path);
      const auth = routeAuth(route, mixed);
      const method = resource.addMethod(route.method, integrationOf(route.group), {
        operationName: route.operation,
        requestValidator: validator,
        requestParameters: pathParameters(route.path),
        ...(auth === "iam" ? { authorizationType: AuthorizationType.IAM } : {}),
        ...(auth === "cognito" ? { authorizationType: AuthorizationType.COGNITO, authorizer } : {}),
        ...(auth === "none" ? { authorizationType: AuthorizationType.NONE } : {}),
      });
      if (auth === "iam" && admitsAgentsAndHumans(route)) {
        this.mixedIamMethods.push({
          arn: method.methodArn,
          nagResource: `${this.nagArnPrefix()}/${route.method}/${route.path.slice(1).replace(/\{[^}]+\}/g, "*")}`,
        });
      }
      if (auth === "iam") {
        acknowledgeNag(
          method,
          "COG4",
          "Agents are IAM principals: this method is authorised by SigV4 (AWS_IAM), not a user pool.",
        );
      } else if (auth === "none") {
        const reason =
          "Public by design: it exposes no data, and any caller check (such as a Slack signature) happens in the handler.";
        acknowledgeNag(method, "APIG4", reason);
        acknowledgeNag(method, "COG4", reason);
      }
    }
    this.addNotFoundCatchAll(this.api.root);
    for (const error of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(`Gateway${error.type.responseType}`, {
        type: error.type,
        ...(error.status ? { statusCode: error.status } : {}),
        responseHeaders: { "Content-Type": "'application/json'", "Cache-Control": "'no-store'" },
        templates: { "application/json": envelopeTemplate(error.code, error.message) },
      });
    }
  }

  /**
   * A regional web ACL on the stage whose one rule blocks an IP address past its rate, answering
   * with the API's own 429 envelope. Agents behind one NAT share an address, so the rate must
   * cover a whole fleet's traffic from one egress.
   */
  private addWebAcl(settings: WebAclSettings): void {
    if (!Number.isInteger(settings.ratePerIpPer5Minutes) || settings.ratePerIpPer5Minutes < 10) {
      throw new Error("The WAF rate per IP must be a whole number of requests per 5 minutes, at least 10.");
    }
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: name,
      sampledRequestsEnabled: true,
    });
    const acl = new CfnWebACL(this, "WebAcl", {
      scope: "REGIONAL",
      description: "Approval Gates API: a rate limit per client IP",
      defaultAction: { allow: {} },
      visibilityConfig: visibility("ApprovalGatesApi"),
      customResponseBodies: {
        rate_limited: {
          contentType: "APPLICATION_JSON",
          content: JSON.stringify({
            error: { code: "RATE_LIMITED", message: "Too many requests from this address; retry later." },
          }),
        },
      },
      rules: [
        {
          name: "RatePerIp",
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: settings.ratePerIpPer5Minutes,
              aggregateKeyType: "IP",
              evaluationWindowSec: 300,
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: "rate_limited",
                responseHeaders: [{ name: "retry-after", value: "60" }],
              },
            },
          },
          visibilityConfig: visibility("ApprovalGatesRatePerIp"),
        },
      ],
    });
    new CfnWebACLAssociation(this, "WebAclAssociation", {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
  }

  /** How cdk-nag writes this API's method ARNs, up to the method. */
  private nagArnPrefix(): string {
    const stack = Stack.of(this);
    const api = this.api.node.defaultChild;
    const stage = this.api.deploymentStage.node.defaultChild;
    if (!(api instanceof CfnElement) || !(stage instanceof CfnElement))
      throw new Error("RestApi without its CloudFormation resources");
    return `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${stack.getLogicalId(api)}>/<${stack.getLogicalId(stage)}>`;
  }

  /** Unknown paths answer 404 NOT_FOUND rather than API Gateway's misleading 403 "Missing Authentication Token". */
  private addNotFoundCatchAll(root: IResource): void {
    const notFound = new MockIntegration({
      passthroughBehavior: PassthroughBehavior.NEVER,
      requestTemplates: { "application/json": '{"statusCode": 404}' },
      integrationResponses: [
        {
          statusCode: "404",
          responseTemplates: { "application/json": envelopeTemplate("NOT_FOUND", "No such route.") },
        },
      ],
    });
    const options = {
      authorizationType: AuthorizationType.NONE,
      methodResponses: [{ statusCode: "404" }],
    };
    const reason =
      "A mock that only answers 404 NOT_FOUND for unknown paths; it reaches no function or data.";
    for (const method of [
      root.addMethod("ANY", notFound, options),
      root.addResource("{proxy+}").addMethod("ANY", notFound, options),
    ]) {
      acknowledgeNag(method, "APIG4", reason);
      acknowledgeNag(method, "COG4", reason);
    }
  }
}

/** A method authorised by IAM that humans may call with identity-pool credentials. */
export interface MixedIamMethod {
  /** Its `execute-api` ARN, for `execute-api:Invoke`. */
  readonly arn: string;
  /** The ARN as cdk-nag prints it, to acknowledge the path-parameter wildcards exactly. */
  readonly nagResource: string;
}

/**
 * The stage's method settings for every door with a budget of its own: each route's method, and
 * both mocks for unknown paths. Logging and metrics repeat the stage's, since a method's settings
 * replace the stage defaults for that method.
 */
function doorMethodOptions(
  routes: readonly RouteDef[],
  doors: Readonly<Partial<Record<ApiDoor, ThrottleSettings>>>,
): Record<string, MethodDeploymentOptions> {
  const options = (throttle: ThrottleSettings): MethodDeploymentOptions => ({
    throttlingRateLimit: throttle.rateLimit,
    throttlingBurstLimit: throttle.burstLimit,
    loggingLevel: MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    metricsEnabled: true,
  });
  const settings: Record<string, MethodDeploymentOptions> = {};
  for (const route of routes) {
    const throttle = doors[route.group];
    if (throttle) settings[`${route.path}/${route.method}`] = options(throttle);
  }
  const notFound = doors.notFound;
  if (notFound) {
    settings["//*"] = options(notFound);
    settings["/{proxy+}/*"] = options(notFound);
  }
  return settings;
}

/** Every `{name}` of a path as a required request parameter, so the validator rejects requests without it. */
function pathParameters(path: string): Record<string, boolean> {
  const names = [...path.matchAll(/\{([^}+]+)\}/g)].map((match) => match[1]);
  return Object.fromEntries(names.flatMap((name) => (name ? [[`method.request.path.${name}`, true]] : [])));
}
