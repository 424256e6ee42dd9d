import type { Tracing } from "../adapters/tracing/powertools-tracing";

/**
 * Powertools Tracer when the function was bundled with tracing on, otherwise nothing.
 * `process.env.GATES_TRACING` is not read at run time: the bundler replaces it with a constant
 * (see cdk/bundling.ts), so an untraced bundle drops this branch and carries no X-Ray SDK.
 * Local mode runs unbundled and untraced.
 */
export const tracing: Tracing | undefined =
  process.env.GATES_TRACING === "on"
    ? (
        require("../adapters/tracing/powertools-tracing") as typeof import("../adapters/tracing/powertools-tracing")
      ).powertoolsTracing("approval-gates")
    : undefined;

/** A handler traced when tracing is on, as it is otherwise. */
export function traced<A extends unknown[], R>(
  name: string,
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return tracing ? tracing.traceHandler(name, handler) : handler;
}
