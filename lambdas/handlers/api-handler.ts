import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { createHttpApp } from "../adapters/http/http-app";
import type { Operations, OperationsOf } from "../adapters/http/operation";
import { type GroupOperationId, type HandlerGroup, ROUTES } from "../routes";
import { traced } from "./tracing";

/**
 * The Lambda handler serving one group of routes. The composition root hands it at least the
 * group's operations (the type insists on each), and routes outside the group answer 404 as if
 * they did not exist.
 */
export function apiHandler<G extends HandlerGroup>(
  group: G,
  version: string,
  operations: Operations & OperationsOf<GroupOperationId<G>>,
) {
  const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { route_group: group } });
  const all: Operations = operations;
  const served: Operations = Object.fromEntries(
    ROUTES.filter((r) => r.group === group).map((r) => [r.operation, all[r.operation]]),
  );
  const app = createHttpApp({ operations: served, logger, version });
  return traced(
    `api-${group}`,
    (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
      logger.addContext(context);
      return app.resolve(event, context);
    },
  );
}
