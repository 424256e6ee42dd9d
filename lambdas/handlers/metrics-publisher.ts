import { Logger } from "@aws-lambda-powertools/logger";
import { createEmfPublisher, stdoutSink } from "../adapters/metrics/emf-publisher";
import { metricsConsumer } from "../adapters/metrics/metrics-consumer";
import { traced } from "./tracing";

const logger = new Logger({
  serviceName: "approval-gates",
  persistentKeys: { function: "metrics-publisher" },
});
const consume = metricsConsumer({ publisher: createEmfPublisher({ sink: stdoutSink }), logger });

/** Lambda entry point on the Events stream: EMF metrics for each batch, with a partial batch response. */
export const handler: typeof consume = traced("metrics-publisher", (event, context) => {
  if (context) logger.addContext(context);
  return consume(event, context);
});
