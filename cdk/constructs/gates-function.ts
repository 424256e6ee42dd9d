import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type ILayerVersion, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { tableEnvVar } from "../../lambdas/adapters/config";
import { TABLE_LOGICAL_NAMES, type TableName } from "../../lambdas/adapters/dynamo/tables";
import { bundleOptions } from "../bundling";
import type { FunctionSpec } from "../function-catalog";
import type { GatesTables } from "./tables";

export { CEDAR_MODULE, SHELL_PARSER_MODULES, textLoaders } from "../bundling";

/** The runtime of every function: the newest Node.js Lambda runtime aws-cdk-lib offers. */
export const GATES_RUNTIME = Runtime.NODEJS_24_X;

/** Props of {@link GatesFunction}. */
export interface GatesFunctionProps {
  /** What the function runs and how big it is, from the function catalog. */
  readonly spec: FunctionSpec;
  /** The tables whose physical names the function reads from its environment. */
  readonly tables: GatesTables;
  /**
   * The Cedar and shell parser layers, which a function that evaluates policies must be given: those
   * modules are left out of its bundle. Functions that do not evaluate get neither.
   * @default none
   */
  readonly policyLayers?: { readonly cedar: ILayerVersion; readonly shellParser: ILayerVersion };
  /**
   * Concurrent executions reserved for the function, which are also its limit.
   * @default none: the function draws from the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /** X-Ray active tracing and Powertools Tracer in the bundle. @default false */
  readonly tracing?: boolean;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** How long logs are kept. @default one month */
  readonly logRetention?: RetentionDays;
}

/**
 * One Lambda function of the control plane: ARM64 on the newest Node.js runtime, bundled locally by
 * esbuild (never Docker) as {@link bundleOptions} says, JSON logs through Powertools into its own log
 * group, and table names in `GATES_TABLE_*`. Its role starts with nothing but its own log group;
 * table access is granted apart. Source maps ship beside each bundle for reading stack traces
 * offline; Node is not asked to load them, which would cost every cold start.
 */
export class GatesFunction extends Construct {
  /** The function itself. */
  readonly fn: NodejsFunction;
  /** Its execution role, which grants are added to. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GatesFunctionProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.evaluates !== (props.policyLayers !== undefined)) {
      throw new Error(
        `The ${spec.purpose} function ${spec.evaluates ? "evaluates policies and needs" : "does not evaluate policies and takes no"} Cedar and shell parser layers.`,
      );
    }
    const tracing = props.tracing ?? false;
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of the managed basic-execution policy, so it can write only to its log group.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs the ${spec.purpose} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    const bundle = bundleOptions({ evaluates: spec.evaluates, tracing });
    this.fn = new NodejsFunction(this, "Function", {
      entry: `lambdas/handlers/${spec.entry}.ts`,
      handler: "handler",
      description: `Approval Gates: ${spec.purpose}`,
      runtime: GATES_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutS),
      role: this.role,
      logGroup,
      layers: props.policyLayers ? [props.policyLayers.cedar, props.policyLayers.shellParser] : [],
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      ...(tracing ? { tracing: Tracing.ACTIVE } : {}),
      environment: {
        ...tableEnvironment(props.tables),
        POWERTOOLS_SERVICE_NAME: "approval-gates",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: bundle.target,
        minify: bundle.minify,
        mainFields: bundle.mainFields,
        loader: bundle.loader,
        define: bundle.define,
        // The AWS SDK is bundled rather than taken from the runtime, so AWS runs the versions the tests ran.
        externalModules: bundle.external,
        sourceMap: true,
        sourcesContent: false,
      },
    });
  }
}

/** `GATES_TABLE_*` for every table, as `readConfig` expects. */
export function tableEnvironment(tables: GatesTables): Record<string, string> {
  return Object.fromEntries(
    TABLE_LOGICAL_NAMES.map((name: TableName) => [tableEnvVar(name), tables.byName[name].tableName]),
  );
}
