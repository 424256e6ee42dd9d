import { readConfig } from "../adapters/config";
import { publicOperations } from "../adapters/http/public-operations";
import { apiHandler } from "./api-handler";

const config = readConfig(process.env);

/** Lambda entry point for the `public` routes of the manifest: health and the OpenAPI document, no tables. */
export const handler = apiHandler("public", config.version, publicOperations(config));
