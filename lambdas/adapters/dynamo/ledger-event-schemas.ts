import * as z from "zod/mini";
import {
  ACTOR_KINDS,
  EVENT_TYPES,
  type LedgerEvent,
  LOCK_EVENT_TYPES,
  type LockEventType,
} from "../../core/ledger";
import type { ItemKind } from "./dynamo-errors";
import type { Assert, Same } from "./item-schemas";

/**
 * A ledger event as the Events and LockEvents tables store it and their streams carry it. The stream
 * consumers read it too, so it lives apart from the other items' schemas and their small functions
 * carry only this one.
 */
const ledgerEvent = <T extends string>(types: readonly T[]) =>
  z.object({
    task_id: z.string(),
    seq: z.int(),
    // An event whose type or actor kind this code does not know fails, rather than being misread.
    type: z.enum(types),
    at: z.string(),
    actor: z.object({ kind: z.enum(ACTOR_KINDS), id: z.string() }),
    data: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string(),
  });

/** An event of a task's ledger. */
export const LedgerEventSchema = ledgerEvent(EVENT_TYPES);

/** An event of the lock ledger. */
export const LockEventSchema = ledgerEvent(LOCK_EVENT_TYPES);

/** An item of the Events table. */
export const LEDGER_EVENT_ITEM: ItemKind<LedgerEvent> = {
  table: "Events",
  key: ["task_id", "seq"],
  schema: LedgerEventSchema,
};

/** An item of the LockEvents table, without the `ledger` key it is stored under. */
export const LOCK_EVENT_ITEM: ItemKind<LedgerEvent<LockEventType>> = {
  table: "LockEvents",
  key: ["ledger", "seq"],
  schema: LockEventSchema,
};

/** The schemas read exactly the events the core records: a field on one side only does not compile. */
export type LedgerEventSchemasMatch = [
  Assert<Same<z.output<typeof LedgerEventSchema>, LedgerEvent>>,
  Assert<Same<z.output<typeof LockEventSchema>, LedgerEvent<LockEventType>>>,
];
