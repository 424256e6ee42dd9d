import { apiHandler } from "./api-handler";

/** Lambda entry point for the `slack` routes of the manifest: signed webhooks from Slack. */
export const handler = apiHandler("slack");
