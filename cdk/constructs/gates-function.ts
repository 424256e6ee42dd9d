import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type ILayerVersion, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { tableEnvVar } from "../../lambdas/adapters/config";
import { TABLE_LOGICAL_NAMES, type TableName } from "../../lambdas/adapters/dynamo/tables";
import TEXT_EXTENSIONS from "../../lambdas/policies/text-extensions.json";
import type { GatesTables } from "./tables";

/** The package that comes from the Cedar layer rather than from a bundle. */
export const CEDAR_MODULE = "@cedar-policy/cedar-wasm";

/** The shell parser and its grammar, which come from a layer of their own: WebAssembly, loaded from files. */
export const SHELL_PARSER_MODULES = ["web-tree-sitter", "tree-sitter-bash"] as const;

/** Policy and schema files are bundled as text. */
export function textLoaders(): Record<string, "text"> {
  return Object.fromEntries(TEXT_EXTENSIONS.map((extension) => [extension, "text" as const]));
}

/** The runtime of every function: the newest Node.js Lambda runtime aws-cdk-lib offers. */
export const GATES_RUNTIME = Runtime.NODEJS_24_X;

/** Props of {@link GatesFunction}. */
export interface GatesFunctionProps {
  /** The handler file, e.g. `lambdas/handlers/api-agent.ts`; its `handler` export is the entry point. */
  readonly entry: string;
  /** What the function is, for its description and log lines, e.g. "agent API". */
  readonly purpose: string;
  /** The tables whose physical names the function reads from its environment. */
  readonly tables: GatesTables;
  /**
   * The Cedar and shell parser layers, for functions that evaluate policies: those modules are left
   * out of the bundle and memory is raised so the WebAssembly compiles quickly on a cold start.
   * @default the function does not evaluate policies and gets no layer
   */
  readonly policyLayers?: { readonly cedar: ILayerVersion; readonly shellParser: ILayerVersion };
  /** @default 512 MB with Cedar, 256 MB without */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** How long logs are kept. @default one month */
  readonly logRetention?: RetentionDays;
}

/**
 * One Lambda function of the control plane: ARM64 on the newest Node.js runtime, bundled locally by
 * esbuild (never Docker), JSON logs through Powertools into its own log group, and table names in
 * `GATES_TABLE_*`. Its role starts with nothing but its own log group; table access is granted apart.
 */
export class GatesFunction extends Construct {
  /** The function itself. */
  readonly fn: NodejsFunction;
  /** Its execution role, which grants are added to. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GatesFunctionProps) {
    super(scope, id);
    const usesCedar = props.policyLayers !== undefined;
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of the managed basic-execution policy, so it can write only to its log group.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs the ${props.purpose} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      description: `Approval Gates: ${props.purpose}`,
      runtime: GATES_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? (usesCedar ? 512 : 256),
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup,
      layers: props.policyLayers ? [props.policyLayers.cedar, props.policyLayers.shellParser] : [],
      environment: {
        ...tableEnvironment(props.tables),
        POWERTOOLS_SERVICE_NAME: "approval-gates",
        POWERTOOLS_LOG_LEVEL: "INFO",
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: "node20",
        minify: true,
        sourceMap: true,
        loader: textLoaders(),
        // The AWS SDK is bundled rather than taken from the runtime, so AWS runs the versions the tests ran.
        externalModules: usesCedar ? [CEDAR_MODULE, ...SHELL_PARSER_MODULES] : [],
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
