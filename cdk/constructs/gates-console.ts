import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CfnElement, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { RestApiOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { buildConsole, writeConsole } from "../../console/build";
import { CONSOLE_CONFIG_PATH, type CognitoConsoleConfig } from "../../console/config";
import {
  CONSOLE_SECURITY_HEADERS,
  consoleContentSecurityPolicy,
  HSTS_MAX_AGE_S,
} from "../../console/security-headers";
import type { GatesIdentity } from "./gates-identity";
import { acknowledgeNag } from "./nag";
import type { MixedRouteAuth } from "./route-authorization";

/** Props of {@link GatesConsole}. */
export interface GatesConsoleProps {
  /** The REST API, which CloudFront serves at the console's own origin under `/v1/`. */
  readonly api: RestApi;
  /** The user pool, Hosted UI and identity pool the console signs people in with. */
  readonly identity: GatesIdentity;
  /** How the routes shared with agents authenticate, as the API was built. */
  readonly mixedRouteAuth: MixedRouteAuth;
  /** How old, in minutes, the sign-in behind a critical approval may be (the console says so). */
  readonly criticalSignInMaxAgeMin: number;
  /** What happens to the site's bucket when the stack is deleted. @default RemovalPolicy.DESTROY (it holds build output only) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The approver's web console as a static site: the built files in a private S3 bucket that only
 * CloudFront may read (origin access control), served over HTTPS with the console's security
 * headers and Content-Security-Policy, and the REST API under `/v1/*` of the same origin, uncached,
 * so the page talks to its own origin only. The console's app client and its configuration file
 * come with it.
 */
export class GatesConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The console's URL, `https://<distribution>.cloudfront.net/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: GatesConsoleProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.bucket = new Bucket(this, "Site", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    acknowledgeNag(
      this.bucket,
      "S1",
      "The bucket holds the console's build output, written only by the deployment; readers reach it through CloudFront alone, and every API call the console makes is in the API's access logs.",
    );

    const headers = new ResponseHeadersPolicy(this, "Headers", {
      comment: "Approval Gates console: CSP with Trusted Types, HSTS, no framing, no sniffing, no referrer",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([
            props.identity.hostedUiUrl,
            `https://cognito-identity.${region}.amazonaws.com`,
          ]),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_S),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: Object.entries(CONSOLE_SECURITY_HEADERS)
          .filter(
            ([name]) => !["x-content-type-options", "x-frame-options", "referrer-policy"].includes(name),
          )
          .map(([header, value]) => ({ header, value, override: true })),
      },
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: "Approval Gates console",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: {
        // The API at the console's origin: nothing cached, every header but Host passed on (so a
        // SigV4 signature made for the API's own host still holds), every method allowed.
        "/v1/*": {
          origin: new RestApiOrigin(props.api),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    const why = {
      CFR1: "Approvers work from anywhere; access is by sign-in, not by country.",
      CFR2: "The site is static files and the API behind it is authenticated and throttled; attach a WAF web ACL to the distribution if your organisation requires one.",
      CFR3: "The site is static files; every API call the console makes is in the API's access logs.",
      CFR4: "The distribution uses the default cloudfront.net certificate, which CloudFront serves with its own TLS policy; give it a custom domain and certificate to pin TLS 1.2.",
    };
    for (const [rule, reason] of Object.entries(why)) acknowledgeNag(this.distribution, rule, reason);
    this.url = `https://${this.distribution.distributionDomainName}/`;

    const client = props.identity.addConsoleClient(this.url);
    const config: CognitoConsoleConfig = {
      mode: "cognito",
      region,
      hostedUiUrl: props.identity.hostedUiUrl,
      clientId: client.userPoolClientId,
      userPoolId: props.identity.userPool.userPoolId,
      identityPoolId: props.identity.identityPool.identityPoolId,
      apiUrl: props.api.url,
      mixedRouteAuth: props.mixedRouteAuth,
      criticalSignInMaxAgeMin: props.criticalSignInMaxAgeMin,
    };
    const built = mkdtempSync(join(tmpdir(), "gates-console-"));
    writeConsole(buildConsole(), built);
    new BucketDeployment(this, "Deploy", {
      destinationBucket: this.bucket,
      sources: [Source.asset(built), Source.jsonData(CONSOLE_CONFIG_PATH.slice(1), config)],
      distribution: this.distribution,
      distributionPaths: ["/*"],
      memoryLimit: 256,
    });
    // The copying is done by CDK's own singleton function, a sibling of this construct in the stack.
    const copier = Stack.of(this).node.children.find((c) =>
      c.node.id.startsWith("Custom::CDKBucketDeployment"),
    );
    if (!copier) throw new Error("CDK's bucket deployment function is missing");
    acknowledgeNag(
      copier,
      "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "CDK's bucket deployment function writes its logs with the AWS managed basic execution policy.",
    );
    const stack = Stack.of(this);
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const wildcards = [
      "Action::s3:GetObject*",
      "Action::s3:GetBucket*",
      "Action::s3:List*",
      "Action::s3:DeleteObject*",
      "Action::s3:Abort*",
      `Resource::arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`,
      `Resource::<${bucketId}.Arn>/*`,
      "Resource::*",
    ];
    for (const finding of wildcards) {
      acknowledgeNag(
        copier,
        `IAM5[${finding}]`,
        "CDK's bucket deployment function reads the staged site from the assets bucket and replaces the objects of the console's bucket, whose keys it cannot know in advance; a CloudFront invalidation names no resource.",
      );
    }
    acknowledgeNag(copier, "L1", "CDK's bucket deployment function runs the Python runtime CDK pins for it.");
  }
}
