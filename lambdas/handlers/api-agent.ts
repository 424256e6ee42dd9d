import { apiHandler } from "./api-handler";

/** Lambda entry point for the `agent` routes of the manifest. */
export const handler = apiHandler("agent");
