import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildApp } from "../../cdk/app";

/**
 * Synthesizes the app as `cdk synth` would, cdk-nag included, but without bundling the functions
 * (the synth test covers that), so a test file pays for one quick synth.
 */
export function synthTemplate(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [], ...context } });
  const { stack } = buildApp(app);
  return Template.fromStack(stack);
}

/** The logical id of the one resource of a type whose id starts with a construct path prefix. */
export function logicalId(template: Template, type: string, idPrefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(idPrefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${idPrefix}, found ${ids.join(", ")}`);
  return ids[0] ?? "";
}
