import { readConfig } from "../adapters/config";
import { controlPlaneOperations } from "../adapters/http/control-plane-operations";
import { evaluationOperations } from "../adapters/http/evaluation-operations";
import { apiHandler } from "./api-handler";
import {
  controlPlaneDeps,
  dynamoDocument,
  freshSignInOf,
  lockCatalogOf,
  repoSettingsOf,
} from "./control-plane-deps";
import { BUILTIN_VERSION, evaluationDeps } from "./evaluation-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
const deps = evaluationDeps(
  {
    ...controlPlaneDeps(doc, config.tables),
    ...lockCatalogOf(doc, config),
    ...repoSettingsOf(doc, config),
    ...freshSignInOf(config),
  },
  doc,
  config.tables,
);

/** Lambda entry point for the `agent` routes of the manifest: register, evaluate (Cedar and the parser) and finish. */
export const handler = apiHandler("agent", config.version, {
  ...evaluationOperations(deps, { builtinVersion: BUILTIN_VERSION }),
  ...controlPlaneOperations(deps),
});
