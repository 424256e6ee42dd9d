import { Tracer } from "@aws-lambda-powertools/tracer";

/** What a traced process does with X-Ray: record its AWS SDK calls and a subsegment per invocation. */
export interface Tracing {
  /** The same client, its calls recorded as subsegments. */
  traceClient<T>(client: T): T;
  /** The same handler, each invocation a subsegment annotated with the cold start and the service. */
  traceHandler<A extends unknown[], R>(
    name: string,
    handler: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R>;
}

/**
 * Tracing through Powertools Tracer, which writes to the X-Ray segment Lambda opens when active
 * tracing is on. Errors are recorded as metadata and rethrown; responses are not recorded, since
 * they can carry tool inputs.
 */
export function powertoolsTracing(serviceName: string): Tracing {
  const tracer = new Tracer({ serviceName, captureHTTPsRequests: true });
  return {
    traceClient: (client) => tracer.captureAWSv3Client(client),
    traceHandler:
      (name, handler) =>
      async (...args) => {
        const segment = tracer.getSegment();
        const subsegment = segment?.addNewSubsegment(`## ${name}`);
        if (subsegment) tracer.setSegment(subsegment);
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
        try {
          return await handler(...args);
        } catch (error) {
          tracer.addErrorAsMetadata(error as Error);
          throw error;
        } finally {
          if (segment && subsegment) {
            subsegment.close();
            tracer.setSegment(segment);
          }
        }
      },
  };
}
