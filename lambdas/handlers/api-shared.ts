import { readConfig } from "../adapters/config";
import { sharedOperations } from "../adapters/http/control-plane-operations";
import { apiHandler } from "./api-handler";
import { controlPlaneDeps, dynamoDocument } from "./control-plane-deps";

const config = readConfig(process.env);
const deps = controlPlaneDeps(dynamoDocument(config), config.tables);

/** Lambda entry point for the `shared` routes of the manifest: reads that agents and humans share. */
export const handler = apiHandler("shared", config.version, sharedOperations(deps));
