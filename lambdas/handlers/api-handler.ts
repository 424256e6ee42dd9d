import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { createHttpApp } from "../adapters/http/http-app";
import type { Operations } from "../adapters/http/operation";
import { type HandlerGroup, ROUTES } from "../routes";
import { buildControlPlane } from "./control-plane";

/**
 * The Lambda handler serving one group of routes: dependencies are built once per
 * container, and routes outside the group answer 404 as if they did not exist.
 */
export function apiHandler(group: HandlerGroup) {
  const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { route_group: group } });
  const { info, operations } = buildControlPlane(readConfig(process.env));
  const served: Operations = Object.fromEntries(
    ROUTES.filter((r) => r.group === group).map((r) => [r.operation, operations[r.operation]]),
  );
  const app = createHttpApp({ operations: served, logger, version: info.version });
  return (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    logger.addContext(context);
    return app.resolve(event, context);
  };
}
