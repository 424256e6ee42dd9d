import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { reconcile } from "../core/control-plane/approvals";
import { sweepExpiredLocks } from "../core/control-plane/locks";
import { controlPlaneDeps, dynamoDocument, lockCatalogOf } from "./control-plane-deps";
import { traced } from "./tracing";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "reconciler" } });
const config = readConfig(process.env);
const doc = dynamoDocument(config);
// Expired locks are recorded too, so the lock catalog is built; no policy engine is.
const deps = { ...controlPlaneDeps(doc, config.tables), ...lockCatalogOf(doc, config) };

/**
 * Scheduled every minute: times out PENDING requests past their deadline and records locks that
 * expired. A failure fails the run so it alarms.
 */
export const handler = traced(
  "reconciler",
  async (
    _event?: unknown,
    context?: Context,
  ): Promise<{ timed_out: number; failed: number; locks_expired: number }> => {
    if (context) logger.addContext(context);
    const result = { ...(await reconcile(deps)), locks_expired: await sweepExpiredLocks(deps) };
    logger.info("reconciled", { ...result });
    if (result.failed > 0) throw new Error(`${result.failed} overdue request(s) could not be timed out`);
    return result;
  },
);
