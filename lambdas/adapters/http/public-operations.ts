import * as inputs from "../../../contracts/inputs";
import openApiDocument from "../../../contracts/openapi.json";
import type { GroupOperationId } from "../../routes";
import { type OperationsOf, ok } from "./operation";

/** The public routes: liveness and the API's own description. They read no table. */
export function publicOperations(info: {
  /** The deployed version, shown by health. */
  readonly version: string;
}): OperationsOf<GroupOperationId<"public">> {
  return {
    health: { input: inputs.health, handle: async () => ok({ status: "ok", version: info.version }) },
    // The committed document, which a test keeps equal to what the schemas generate.
    getOpenApi: { input: inputs.getOpenApi, handle: async () => ok(openApiDocument) },
  };
}
