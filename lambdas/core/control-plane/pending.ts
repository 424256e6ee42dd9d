import { LIMITS, type PendingItem } from "../../../contracts/api";
import { RateLimitedError } from "../errors";
import { openPageToken, sealPageToken } from "../page-token";
import type { Principal } from "../principal";
import { groupInboxKey } from "../records";
import type { ControlPlaneDeps } from "./deps";
import { toPendingItem } from "./views";

/** Pending listings per human per minute. */
export const PENDING_READS_PER_MINUTE = 120;
/** Identity groups whose inboxes a pending listing reads, besides the human's own. */
export const MAX_INBOX_GROUPS = 20;

/** The caller's PENDING requests with a deadline still ahead, soonest first. */
export async function listPending(
  deps: ControlPlaneDeps,
  human: Principal,
  options: { limit?: number; nextToken?: string; repo?: string },
): Promise<{ items: PendingItem[]; next_token?: string }> {
  const now = deps.clock.now();
  const limit = await deps.rateLimiter.hit(`pending#${human.id}`, PENDING_READS_PER_MINUTE, 60, now);
  if (!limit.allowed) throw new RateLimitedError("pending listings", limit.retryAfterS);
  const after = options.nextToken
    ? await openPageToken(deps.pageTokenKey, human.id, options.nextToken)
    : undefined;
  // The human's own inbox and those of its identity groups, paged as one.
  const groups = human.kind === "human" ? (human.groups ?? []).slice(0, MAX_INBOX_GROUPS) : [];
  const page = await deps.tasks.listInbox([human.id, ...groups.map(groupInboxKey)], now.toISOString(), {
    limit: options.limit ?? LIMITS.defaultListLimit,
    ...(after !== undefined ? { after } : {}),
    ...(options.repo ? { repo: options.repo } : {}),
  });
  const items = page.items.map(toPendingItem);
  if (page.after === undefined) return { items };
  return { items, next_token: await sealPageToken(deps.pageTokenKey, human.id, page.after) };
}
