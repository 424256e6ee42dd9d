import openApiDocument from "../../../contracts/openapi.json";
import type { GroupOperationId } from "../../routes";
import { ok } from "./callers";
import type { OperationHandler } from "./operation";

/** The public routes: liveness and the API's own description. They read no table. */
export function publicOperations(info: {
  /** The deployed version, shown by health. */
  readonly version: string;
}): Record<GroupOperationId<"public">, OperationHandler> {
  return {
    health: async () => ok({ status: "ok", version: info.version }),
    // The committed document, which a test keeps equal to what the schemas generate.
    getOpenApi: async () => ok(openApiDocument),
  };
}
