import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Acknowledges one AWS Solutions finding on exactly one construct (and what it contains), with the
 * reason it does not apply there. `rule` is the rule id, with the finding in brackets where the rule
 * reports several, e.g. `IAM5[Resource::…]`.
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}
