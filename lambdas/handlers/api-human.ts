import { apiHandler } from "./api-handler";

/** Lambda entry point for the `human` routes of the manifest. */
export const handler = apiHandler("human");
