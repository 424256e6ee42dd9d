import { Effect, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { TABLE_LOGICAL_NAMES } from "../../lambdas/adapters/dynamo/tables";
import { type AccessSubject, INDEX_QUERIES, TABLE_ACCESS } from "./table-access";
import type { GatesTables } from "./tables";

/**
 * Grants a function exactly the table actions {@link TABLE_ACCESS} lists for it: one statement per
 * table on that table's ARN, Query alone on the indexes it queries, and nothing for the rest.
 */
export function grantTableAccess(grantee: IGrantable, subject: AccessSubject, tables: GatesTables): void {
  const access = TABLE_ACCESS[subject];
  for (const name of TABLE_LOGICAL_NAMES) {
    const actions = access[name];
    if (!actions || actions.length === 0) continue;
    const table = tables.byName[name];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources: [table.tableArn] }),
    );
    const indexes = INDEX_QUERIES[subject]?.[name] ?? [];
    if (indexes.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ["dynamodb:Query"],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
  }
}
