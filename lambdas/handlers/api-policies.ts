import { apiHandler } from "./api-handler";

/** Lambda entry point for the `policies` routes of the manifest. */
export const handler = apiHandler("policies");
