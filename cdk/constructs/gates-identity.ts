import { Aws, Duration, Fn, Names, RemovalPolicy, SecretValue } from "aws-cdk-lib";
import {
  AccountRecovery,
  type CfnUserPoolClient,
  CfnUserPoolGroup,
  FeaturePlan,
  type IUserPool,
  type IUserPoolClient,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
} from "aws-cdk-lib/aws-cognito";
import { IdentityPool, UserPoolAuthenticationProvider } from "aws-cdk-lib/aws-cognito-identitypool";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { ADMIN_GROUP, APPROVER_GROUP } from "../../lambdas/core/principal";
import { OAUTH_SCOPES } from "../../sdk/oauth-pkce";
import type { MixedIamMethod } from "./gates-api";
import { acknowledgeNag } from "./nag";

/** Props of {@link GatesIdentity}. */
export interface GatesIdentityProps {
  /**
   * An existing Cognito user pool for humans; it must have a `gates-admins` group for policy admins.
   * @default a new pool with email sign-in, TOTP MFA, threat protection, a strong password policy and the group
   */
  readonly existingUserPoolId?: string;
  /**
   * Whether a new pool requires MFA. `gates login` signs in with USER_PASSWORD_AUTH and cannot answer an
   * MFA challenge yet, so requiring it locks the CLI out.
   * @default "optional" — users may enrol TOTP; threat protection still challenges risky sign-ins
   */
  readonly mfa?: "required" | "optional";
  /** What happens to a new pool when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The prefix of the Hosted UI's Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`), unique in
   * the region. @default one made of the stack's path and the account id
   */
  readonly hostedUiDomainPrefix?: string;
  /**
   * Identity providers the Hosted UI offers besides the pool's own users, e.g. the organisation's
   * Okta (OIDC) or Entra ID (SAML). Federated users sign in to the console and `gates login --web`.
   * @default none: the pool's own users only
   */
  readonly identityProviders?: readonly GatesIdentityProvider[];
  /**
   * The loopback port `gates login --web` listens on for the Hosted UI's redirect (Cognito matches
   * callback URLs exactly, port included). @default 53682
   */
  readonly cliCallbackPort?: number;
}

/** An OIDC identity provider; its client secret stays in Secrets Manager, the template names it only. */
export interface GatesOidcProvider {
  readonly kind: "oidc";
  /** The provider's name in the pool and on the Hosted UI, e.g. `Okta`. */
  readonly name: string;
  readonly issuerUrl: string;
  readonly clientId: string;
  /** Secrets Manager name of the client secret (a plain string). */
  readonly clientSecretName: string;
  /** @default openid, email and profile */
  readonly scopes?: readonly string[];
}

/** A SAML identity provider, from its metadata document's URL. */
export interface GatesSamlProvider {
  readonly kind: "saml";
  readonly name: string;
  readonly metadataUrl: string;
}

export type GatesIdentityProvider = GatesOidcProvider | GatesSamlProvider;

/** The default loopback port of `gates login --web`. */
export const DEFAULT_CLI_CALLBACK_PORT = 53682;

/**
 * Who the humans are: the Cognito user pool (new or existing) with the `gates-admins` group, the CLI's
 * app client, and an identity pool through which signed-in humans get AWS credentials for the routes
 * that agents share with them.
 */
export class GatesIdentity extends Construct {
  /** The pool whose id tokens the API accepts. */
  readonly userPool: IUserPool;
  /** The app client `gates login` signs in through. */
  readonly client: IUserPoolClient;
  /** Exchanges a signed-in human's id token for AWS credentials limited to the shared routes. */
  readonly identityPool: IdentityPool;
  /** The Hosted UI's domain; sign-in with authorization code and PKCE goes through it. */
  readonly hostedUi: UserPoolDomain;
  /** The Hosted UI's base URL, e.g. `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly hostedUiUrl: string;
  /** The redirect `gates login --web` listens for. */
  readonly cliCallbackUrl: string;
  private readonly providers: UserPoolClientIdentityProvider[];

  constructor(scope: Construct, id: string, props: GatesIdentityProps = {}) {
    super(scope, id);
    if (props.existingUserPoolId) {
      this.userPool = UserPool.fromUserPoolId(this, "UserPool", props.existingUserPoolId);
    } else {
      const pool = new UserPool(this, "UserPool", {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        mfa: props.mfa === "required" ? Mfa.REQUIRED : Mfa.OPTIONAL,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: {
          minLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
          tempPasswordValidity: Duration.days(3),
        },
        // Plus, for threat protection: a stolen approver password would let someone approve agent actions.
        featurePlan: FeaturePlan.PLUS,
        standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      if (props.mfa !== "required") {
        acknowledgeNag(
          pool,
          "COG2",
          "MFA is the pool owner's choice (context humanMfa=required turns it on for everyone); federated users get their identity provider's.",
        );
      }
      new CfnUserPoolGroup(this, "AdminsGroup", {
        userPoolId: pool.userPoolId,
        groupName: ADMIN_GROUP,
        description: "May publish policies and settings, and place locks",
      });
      // Under the strict default settings, members of this group approve every repo's tasks.
      new CfnUserPoolGroup(this, "ApproversGroup", {
        userPoolId: pool.userPoolId,
        groupName: APPROVER_GROUP,
        description: "Approve agents' requests on repos without settings of their own",
      });
      this.userPool = pool;
    }
    const prefix =
      props.hostedUiDomainPrefix ??
      Fn.join("-", [
        Names.uniqueResourceName(this, { maxLength: 40, separator: "-" }).toLowerCase(),
        Aws.ACCOUNT_ID,
      ]);
    this.hostedUi = this.userPool.addDomain("HostedUi", { cognitoDomain: { domainPrefix: prefix } });
    this.hostedUiUrl = this.hostedUi.baseUrl();
    this.providers = [
      UserPoolClientIdentityProvider.COGNITO,
      ...this.addProviders(props.identityProviders ?? []),
    ];
    this.cliCallbackUrl = `http://localhost:${props.cliCallbackPort ?? DEFAULT_CLI_CALLBACK_PORT}/callback`;
    // A public client: the CLI runs on people's machines and cannot keep a secret.
    this.client = new UserPoolClient(this, "CliClient", {
      userPool: this.userPool,
      generateSecret: false,
      // `gates login` uses USER_PASSWORD_AUTH over TLS; SRP is for clients that implement it.
      authFlows: { userPassword: true, userSrp: true },
      // `gates login --web`: the Hosted UI with authorization code and PKCE, back to a loopback port.
      oAuth: this.codeFlow([this.cliCallbackUrl]),
      supportedIdentityProviders: this.providers,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    for (const provider of this.federated) this.client.node.addDependency(provider);
    this.identityPool = new IdentityPool(this, "IdentityPool", {
      allowUnauthenticatedIdentities: false,
      authenticationProviders: {
        userPools: [
          new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.client }),
        ],
      },
    });
  }

  /**
   * The web console's app client: public, authorization code with PKCE only (no password flows), its
   * callback and sign-out URL the console's own root. Its users reach the shared routes through the
   * identity pool like the CLI's.
   */
  addConsoleClient(consoleUrl: string): IUserPoolClient {
    const client = new UserPoolClient(this, "ConsoleClient", {
      userPool: this.userPool,
      generateSecret: false,
      authFlows: {},
      oAuth: this.codeFlow([consoleUrl]),
      supportedIdentityProviders: this.providers,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // The console keeps tokens in memory only, so a refresh token outlives no tab by much.
      refreshTokenValidity: Duration.hours(12),
    });
    // Sign-in goes through the Hosted UI only: no password or SRP flow on this client, whatever
    // Cognito enables when the list is left out.
    (client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ["ALLOW_REFRESH_TOKEN_AUTH"];
    for (const provider of this.federated) client.node.addDependency(provider);
    this.identityPool.addUserPoolAuthentication(
      new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: client }),
    );
    return client;
  }

  private readonly federated: (UserPoolIdentityProviderOidc | UserPoolIdentityProviderSaml)[] = [];

  private codeFlow(callbackUrls: string[]) {
    return {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: OAUTH_SCOPES.map((scope) => OAuthScope.custom(scope)),
      callbackUrls,
      logoutUrls: callbackUrls,
    };
  }

  private addProviders(providers: readonly GatesIdentityProvider[]): UserPoolClientIdentityProvider[] {
    return providers.map((provider, index) => {
      const common = {
        userPool: this.userPool,
        name: provider.name,
        attributeMapping: { email: ProviderAttribute.other("email") },
      };
      const idp =
        provider.kind === "oidc"
          ? new UserPoolIdentityProviderOidc(this, `Oidc${index}`, {
              ...common,
              issuerUrl: provider.issuerUrl,
              clientId: provider.clientId,
              // A dynamic reference: CloudFormation reads the secret at deploy, the template holds its name only.
              clientSecret: SecretValue.secretsManager(provider.clientSecretName).unsafeUnwrap(),
              scopes: [...(provider.scopes ?? OAUTH_SCOPES)],
            })
          : new UserPoolIdentityProviderSaml(this, `Saml${index}`, {
              ...common,
              metadata: UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
            });
      this.federated.push(idp);
      return UserPoolClientIdentityProvider.custom(provider.name);
    });
  }

  /** Lets signed-in humans' identity-pool credentials call exactly these API methods, and nothing else. */
  allowHumansToInvoke(methods: readonly MixedIamMethod[]): void {
    if (methods.length === 0) return;
    const role = this.identityPool.authenticatedRole;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["execute-api:Invoke"],
        resources: methods.map((m) => m.arn),
      }),
    );
    for (const method of methods) {
      acknowledgeNag(
        role,
        `IAM5[Resource::${method.nagResource}]`,
        "The wildcards stand for path parameters (task, request or repo ids) of one method; the handler checks the caller may see that task or repo.",
      );
    }
  }
}
