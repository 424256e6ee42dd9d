import { apiHandler } from "./api-handler";

/** Lambda entry point for the `public` routes of the manifest. */
export const handler = apiHandler("public");
