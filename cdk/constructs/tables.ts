import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  Billing,
  type ITableV2,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { type KeyDef, TABLES, type TableName } from "../../lambdas/adapters/dynamo/tables";

/** Props of {@link GatesTables}. */
export interface GatesTablesProps {
  /**
   * What happens to the tables (and their data) when the stack is deleted or a table is replaced.
   * @default RemovalPolicy.RETAIN — the ledger and approvals outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Every DynamoDB table of the control plane, built from the one table definition local mode also
 * uses: on-demand, point-in-time recovery, AWS-managed encryption, TTL and the Events stream.
 */
export class GatesTables extends Construct {
  /** The tables by logical name. */
  readonly byName: Readonly<Record<TableName, ITableV2>>;
  /** The Events table, whose stream feeds the consumers. */
  readonly events: ITableV2;

  constructor(scope: Construct, id: string, props: GatesTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const table = (name: TableName): ITableV2 => {
      const def = TABLES[name];
      return new TableV2(this, name, {
        partitionKey: attribute(def.partitionKey),
        ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryptionV2.awsManagedKey(),
        deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
        removalPolicy,
        ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
        ...(def.stream === "NEW_IMAGE" ? { dynamoStream: StreamViewType.NEW_IMAGE } : {}),
        globalSecondaryIndexes: def.globalIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        })),
      });
    };
    // Spelled out, so a table added to the definition fails to compile here until it is deployed too.
    this.byName = {
      Tasks: table("Tasks"),
      Approvals: table("Approvals"),
      Inbox: table("Inbox"),
      Events: table("Events"),
      PolicySets: table("PolicySets"),
      SlackLinks: table("SlackLinks"),
      RateLimits: table("RateLimits"),
      RepoSettings: table("RepoSettings"),
      Locks: table("Locks"),
      LockEvents: table("LockEvents"),
    };
    this.events = this.byName.Events;
  }
}

function attribute(key: KeyDef) {
  return { name: key.name, type: key.type === "S" ? AttributeType.STRING : AttributeType.NUMBER };
}
