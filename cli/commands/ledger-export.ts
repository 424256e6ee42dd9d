import { z } from "zod";
import { ACTOR_KINDS, type ChainHead, EVENT_TYPES, type LedgerEvent } from "../../lambdas/core/ledger";
import { UsageError } from "../cli-io";

const HeadSchema = z.object({
  last_event_seq: z.number().int().min(0),
  last_event_hash: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
});

/** What `gates --json events <task>` writes: the events and the task's head. */
const ExportSchema = z.object({
  items: z.array(
    z.object({
      task_id: z.string(),
      seq: z.number().int(),
      type: z.enum(EVENT_TYPES),
      at: z.string(),
      actor: z.object({ kind: z.enum(ACTOR_KINDS), id: z.string() }),
      data: z.record(z.string(), z.unknown()),
      prev_hash: z.string(),
      hash: z.string(),
    }),
  ),
  head: HeadSchema.optional(),
});

const HOW_TO_EXPORT = "export it with `gates --json events <task> > file`";

/**
 * Reads an events export for `gates verify`, with the head to check it against: the export's own,
 * or the one given on the command line for events exported some other way.
 *
 * @throws UsageError for text that is not an export, or an export without any head.
 */
export function readLedgerExport(
  text: string,
  given: { headSeq?: string; headHash?: string },
): { events: LedgerEvent[]; head: ChainHead } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`the file is not JSON; ${HOW_TO_EXPORT}`);
  }
  const parsed = ExportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `the file is not an events export (${issue?.path.join(".") || "top level"}: ${issue?.message}); ${HOW_TO_EXPORT}`,
    );
  }
  return { events: parsed.data.items, head: headOf(parsed.data.head, given) };
}

function headOf(exported: ChainHead | undefined, given: { headSeq?: string; headHash?: string }): ChainHead {
  if (given.headSeq === undefined && given.headHash === undefined) {
    if (exported) return exported;
    throw new UsageError(
      "the export has no head, so a missing tail could not be seen; pass --head-seq and --head-hash from `gates --json task <task>`",
    );
  }
  const head = HeadSchema.safeParse({
    last_event_seq: Number(given.headSeq),
    last_event_hash: given.headHash,
  });
  if (!head.success)
    throw new UsageError("give both --head-seq (a whole number) and --head-hash (64 hex characters)");
  return head.data;
}
