import { Duration } from "aws-cdk-lib";
import {
  type Function as LambdaFunction,
  LayerVersion,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsVersions,
} from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";

const LAYER_ID = "SecretsExtension";

/**
 * Adds the AWS Parameters and Secrets Lambda Extension to a function, as its `paramsAndSecrets`
 * prop would: the function then reads Secrets Manager through localhost, cached, without the
 * Secrets Manager SDK in its bundle. The shared function construct does not take that prop, so
 * the layer and its settings are bound here.
 */
export function addSecretsExtension(scope: Construct, fn: LambdaFunction): void {
  // Functions that read several secrets ask for the extension once per secret; one layer serves all.
  if (fn.node.tryFindChild(LAYER_ID)) return;
  const extension = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
    cacheEnabled: true,
    secretsManagerTtl: Duration.minutes(5),
  });
  const bound = extension._bind(scope, fn);
  fn.addLayers(LayerVersion.fromLayerVersionArn(fn, LAYER_ID, bound.arn));
  for (const [name, value] of Object.entries(bound.environmentVars)) fn.addEnvironment(name, String(value));
}
