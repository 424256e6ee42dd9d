import { readConfig } from "../adapters/config";
import { policyOperations } from "../adapters/http/evaluation-operations";
import { apiHandler } from "./api-handler";
import { controlPlaneDeps, dynamoDocument, lockCatalogOf, repoSettingsOf } from "./control-plane-deps";
import { BUILTIN_VERSION, evaluationDeps } from "./evaluation-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
// Dry runs judge a call with the locks in force, on a task under the repo's settings.
const deps = evaluationDeps(
  { ...controlPlaneDeps(doc, config.tables), ...lockCatalogOf(doc, config), ...repoSettingsOf(doc, config) },
  doc,
  config.tables,
);

/** Lambda entry point for the `policies` routes of the manifest: read, publish and dry-run policies. */
export const handler = apiHandler(
  "policies",
  config.version,
  policyOperations(deps, { builtinVersion: BUILTIN_VERSION }),
);
