import { Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  type IUserPool,
  type IUserPoolClient,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
} from "aws-cdk-lib/aws-cognito";
import { IdentityPool, UserPoolAuthenticationProvider } from "aws-cdk-lib/aws-cognito-identitypool";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { ADMIN_GROUP, APPROVER_GROUP } from "../../lambdas/core/principal";
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
}

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
          "MFA is optional because `gates login` cannot answer MFA challenges yet; set context humanMfa=required once it can.",
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
    // A public client: the CLI runs on people's machines and cannot keep a secret.
    this.client = new UserPoolClient(this, "CliClient", {
      userPool: this.userPool,
      generateSecret: false,
      // `gates login` uses USER_PASSWORD_AUTH over TLS; SRP is for clients that implement it.
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.identityPool = new IdentityPool(this, "IdentityPool", {
      allowUnauthenticatedIdentities: false,
      authenticationProviders: {
        userPools: [
          new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.client }),
        ],
      },
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
