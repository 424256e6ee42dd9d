import { readConfig } from "../adapters/config";
import { controlPlaneOperations } from "../adapters/http/control-plane-operations";
import { apiHandler } from "./api-handler";
import { controlPlaneDeps, dynamoDocument, freshSignInOf, lockCatalogOf } from "./control-plane-deps";

const config = readConfig(process.env);
const doc = dynamoDocument(config);
const deps = {
  ...controlPlaneDeps(doc, config.tables),
  ...lockCatalogOf(doc, config),
  ...freshSignInOf(config),
};

/** Lambda entry point for the `shared` routes of the manifest: reads that agents and humans share. */
export const handler = apiHandler("shared", config.version, controlPlaneOperations(deps));
