import { readConfig } from "../adapters/config";
import { waitOperations } from "../adapters/http/control-plane-operations";
import { apiHandler } from "./api-handler";
import { controlPlaneDeps, dynamoDocument } from "./control-plane-deps";

const config = readConfig(process.env);
const deps = controlPlaneDeps(dynamoDocument(config), config.tables);

/**
 * Lambda entry point for the `wait` route of the manifest: the approval long-poll, alone in a small
 * function, so agents waiting on humans never hold the functions that evaluate and decide.
 */
export const handler = apiHandler("wait", config.version, waitOperations(deps));
