import { readConfig } from "../adapters/config";
import { agentTaskOperations } from "../adapters/http/control-plane-operations";
import { agentEvaluationOperations } from "../adapters/http/evaluation-operations";
import { apiHandler } from "./api-handler";
import { controlPlaneDeps, dynamoDocument, lockCatalogOf, repoSettingsOf } from "./control-plane-deps";
import { evaluationDeps } from "./evaluation-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
// A new task registers under its repo's settings; every evaluation checks the locks in force.
const deps = evaluationDeps(
  { ...controlPlaneDeps(doc, config.tables), ...lockCatalogOf(doc, config), ...repoSettingsOf(doc, config) },
  doc,
  config.tables,
);

/** Lambda entry point for the `agent` routes of the manifest: register, evaluate (Cedar and the parser) and finish. */
export const handler = apiHandler("agent", config.version, {
  ...agentEvaluationOperations(deps),
  ...agentTaskOperations(deps),
});
