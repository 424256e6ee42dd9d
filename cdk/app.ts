import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { stackPropsFromContext } from "./app-config";
import { ApprovalGatesStack } from "./approval-gates-stack";

/**
 * The CDK app: one `ApprovalGatesStack`, configured from context, with the AWS Solutions checks of
 * cdk-nag run at synth (an unacknowledged finding fails it). No account or region is resolved here,
 * so synth needs no credentials; `cdk deploy` takes them from the CLI's environment.
 */
export function buildApp(app: App = new App()): { app: App; stack: ApprovalGatesStack } {
  const stack = new ApprovalGatesStack(app, app.node.tryGetContext("stackName") ?? "ApprovalGates", {
    description: "Approval Gates: human approval for AI agent tool calls",
    ...stackPropsFromContext((key) => app.node.tryGetContext(key)),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
