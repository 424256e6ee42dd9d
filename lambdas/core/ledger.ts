import { canonicalJson } from "./canonical-json";
import { sha256Hex } from "./hashing";

/** Who can act on a task, as events record it. */
export const ACTOR_KINDS = ["human", "agent", "system", "slack"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
}

/** Every kind of ledger event. */
export const EVENT_TYPES = [
  "task.created",
  "tool_call.evaluated",
  "tool_call.outcome",
  "approval.requested",
  "approval.voted",
  "approval.decided",
  "grant.revoked",
  "task.finished",
  "task.cancelled",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events of the lock ledger, the audit trail of placing and lifting locks. */
export const LOCK_EVENT_TYPES = ["lock.placed", "lock.lifted", "lock.expired"] as const;
export type LockEventType = (typeof LOCK_EVENT_TYPES)[number];

/** The chain id (`task_id`) of the lock ledger; task ids start with a letter or digit, so none is this. */
export const LOCK_LEDGER_ID = "#locks";

/** One ledger entry, as stored and as served: a task's, or (with lock event types) the lock ledger's. */
export interface LedgerEvent<T extends string = EventType> {
  /** The chain the event belongs to: a task id, or {@link LOCK_LEDGER_ID}. */
  readonly task_id: string;
  readonly seq: number;
  readonly type: T;
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prev_hash: string;
  readonly hash: string;
}

/** The `prev_hash` of a task's first event. */
export const GENESIS_HASH = "0".repeat(64);

/** `sha256hex(prev_hash + "\n" + canonical_json({task_id, seq, type, at, actor, data}))`. */
export function eventHash(prevHash: string, e: Omit<LedgerEvent<string>, "prev_hash" | "hash">): string {
  const body = canonicalJson({
    task_id: e.task_id,
    seq: e.seq,
    type: e.type,
    at: e.at,
    actor: e.actor,
    data: e.data,
  });
  return sha256Hex(`${prevHash}\n${body}`);
}

/** Seals an event onto the chain after `prevHash`. */
export function chainEvent<T extends string>(
  prevHash: string,
  e: Omit<LedgerEvent<T>, "prev_hash" | "hash">,
): LedgerEvent<T> {
  return { ...e, prev_hash: prevHash, hash: eventHash(prevHash, e) };
}

export type ChainCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly seq: number; readonly problem: string };

/**
 * Verifies a task's events, in order from seq 1: consecutive numbers, each `prev_hash` the
 * previous hash, each hash recomputed. Names the first bad seq.
 */
export function verifyChain(events: readonly LedgerEvent<string>[]): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    if (e.seq !== expectedSeq) return { ok: false, seq: e.seq, problem: `expected seq ${expectedSeq}` };
    if (e.prev_hash !== prev)
      return { ok: false, seq: e.seq, problem: "prev_hash does not match the previous hash" };
    if (eventHash(prev, e) !== e.hash)
      return { ok: false, seq: e.seq, problem: "hash does not match the content" };
    prev = e.hash;
    expectedSeq += 1;
  }
  return { ok: true };
}

/** A task's chain head, as its view shows it: the seq and hash of its last event. */
export interface ChainHead {
  readonly last_event_seq: number;
  readonly last_event_hash: string;
}

/**
 * Verifies a task's events against the task's head: the chain itself ({@link verifyChain}), and that
 * it reaches the head, whose event must carry the head's hash. A chain that stops short of the head
 * had events removed from its end, which a chain alone cannot show. Events after the head are
 * accepted (they were appended after the head was read), as long as they chain too.
 */
export function verifyLedger(events: readonly LedgerEvent[], head: ChainHead): ChainCheck {
  const chain = verifyChain(events);
  if (!chain.ok) return chain;
  const last = events.at(-1)?.seq ?? 0;
  const atHead = events.find((e) => e.seq === head.last_event_seq);
  if (atHead === undefined) {
    return {
      ok: false,
      seq: last + 1,
      problem: `the ledger ends at seq ${last} but the task's last event is seq ${head.last_event_seq}: events are missing from the end`,
    };
  }
  if (atHead.hash !== head.last_event_hash)
    return { ok: false, seq: atHead.seq, problem: "hash does not match the task's last event hash" };
  return { ok: true };
}
