import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { reconcile } from "../core/control-plane/approvals";
import { sweepExpiredLocks } from "../core/control-plane/locks";
import { buildControlPlane } from "./control-plane";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "reconciler" } });
const { deps } = buildControlPlane(readConfig(process.env));

/**
 * Scheduled every minute: times out PENDING requests past their deadline and records locks that
 * expired. A failure fails the run so it alarms.
 */
export const handler = async (
  _event?: unknown,
  context?: Context,
): Promise<{ timed_out: number; failed: number; locks_expired: number }> => {
  if (context) logger.addContext(context);
  const result = { ...(await reconcile(deps)), locks_expired: await sweepExpiredLocks(deps) };
  logger.info("reconciled", { ...result });
  if (result.failed > 0) throw new Error(`${result.failed} overdue request(s) could not be timed out`);
  return result;
};
