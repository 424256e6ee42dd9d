import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { ApprovalGatesStack } from "../../cdk/approval-gates-stack";
import { logicalId, synthTemplate } from "./stack-template";

describe("the web console in the stack", () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate();
  });

  it("keeps the site in a private, encrypted bucket that refuses plain HTTP", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("lets only the distribution read the bucket, through origin access control", () => {
    const distribution = logicalId(template, "AWS::CloudFront::Distribution", "Console");
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: { OriginAccessControlOriginType: "s3", SigningBehavior: "always" },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "s3:GetObject",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Condition: {
              StringEquals: {
                "AWS:SourceArn": Match.objectLike({
                  "Fn::Join": Match.arrayWith([Match.arrayWith([{ Ref: distribution }])]),
                }),
              },
            },
          }),
        ]),
      },
    });
  });

  it("serves the site over HTTPS and the API at the same origin's /v1/*, uncached with every method", () => {
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: "redirect-to-https" }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: "/v1/*",
            ViewerProtocolPolicy: "https-only",
            AllowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
            // CloudFront's managed CachingDisabled and AllViewerExceptHostHeader policies.
            CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            OriginRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
          }),
        ],
      }),
    });
  });

  it("sends a strict Content-Security-Policy with Trusted Types, HSTS and no framing", () => {
    const policies = template.findResources("AWS::CloudFront::ResponseHeadersPolicy");
    const config = Object.values(policies)[0]?.Properties.ResponseHeadersPolicyConfig;
    const csp = JSON.stringify(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).toContain("https://cognito-identity.");
    expect(csp).not.toContain("unsafe");
    expect(config.SecurityHeadersConfig).toMatchObject({
      FrameOptions: { FrameOption: "DENY", Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: "no-referrer", Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: true },
    });
  });

  it("gives the console its own public app client: authorization code only, back to the console's URL", () => {
    const distribution = logicalId(template, "AWS::CloudFront::Distribution", "Console");
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email", "profile"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      CallbackURLs: [{ "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distribution, "DomainName"] }, "/"]] }],
      LogoutURLs: [{ "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distribution, "DomainName"] }, "/"]] }],
    });
  });

  it("lets gates login --web come back to a loopback port on the CLI's client", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      AllowedOAuthFlows: ["code"],
      CallbackURLs: ["http://localhost:53682/callback"],
      ExplicitAuthFlows: Match.arrayWith(["ALLOW_USER_PASSWORD_AUTH"]),
    });
    template.resourceCountIs("AWS::Cognito::UserPoolDomain", 1);
  });

  it("accepts both app clients' id tokens in the identity pool", () => {
    template.hasResourceProperties("AWS::Cognito::IdentityPool", { AllowUnauthenticatedIdentities: false });
    const pool = Object.values(template.findResources("AWS::Cognito::IdentityPool"))[0];
    expect(pool?.Properties.CognitoIdentityProviders).toHaveLength(2);
  });

  it("uploads the built site with its configuration and invalidates the distribution", () => {
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DistributionPaths: ["/*"],
      SourceMarkersConfig: Match.arrayWith([Match.objectLike({ jsonEscape: true })]),
    });
  });

  it("outputs the console's URL and the Hosted UI's", () => {
    template.hasOutput("ConsoleUrl", {});
    template.hasOutput("HostedUiUrl", {});
  });

  it("tells the API functions how old a critical approval's sign-in may be", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN: "10" }) },
    });
    const five = synthTemplate({ criticalSignInMaxAgeMinutes: 5 });
    five.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ GATES_CRITICAL_SIGN_IN_MAX_AGE_MIN: "5" }) },
    });
  });

  it("leaves the console out when told to", () => {
    const without = synthTemplate({ console: "false" });

    without.resourceCountIs("AWS::CloudFront::Distribution", 0);
    without.resourceCountIs("AWS::S3::Bucket", 0);
  });
});

describe("federation", () => {
  it("adds an OIDC provider whose secret stays in Secrets Manager, and offers it on both clients", () => {
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const stack = new ApprovalGatesStack(app, "Federated", {
      identityProviders: [
        {
          kind: "oidc",
          name: "Okta",
          issuerUrl: "https://acme.okta.com",
          clientId: "okta-client",
          clientSecretName: "gates/okta",
        },
        { kind: "saml", name: "Entra", metadataUrl: "https://login.example.com/metadata.xml" },
      ],
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties("AWS::Cognito::UserPoolIdentityProvider", {
      ProviderName: "Okta",
      ProviderType: "OIDC",
      ProviderDetails: Match.objectLike({
        client_id: "okta-client",
        client_secret: "{{resolve:secretsmanager:gates/okta:SecretString:::}}",
        oidc_issuer: "https://acme.okta.com",
      }),
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolIdentityProvider", {
      ProviderName: "Entra",
      ProviderType: "SAML",
    });
    const clients = Object.values(template.findResources("AWS::Cognito::UserPoolClient"));
    expect(clients).toHaveLength(2);
    for (const client of clients) {
      expect(client.Properties.SupportedIdentityProviders).toEqual(["COGNITO", "Okta", "Entra"]);
    }
  });
});
