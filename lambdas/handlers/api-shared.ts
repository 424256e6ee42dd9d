import { apiHandler } from "./api-handler";

/** Lambda entry point for the `shared` routes of the manifest. */
export const handler = apiHandler("shared");
