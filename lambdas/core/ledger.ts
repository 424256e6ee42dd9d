import { canonicalJson } from "./canonical-json";
import { sha256Hex } from "./hashing";

export type ActorKind = "human" | "agent" | "system" | "slack";

export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
}

export type EventType =
  | "task.created"
  | "tool_call.evaluated"
  | "tool_call.outcome"
  | "approval.requested"
  | "approval.decided"
  | "grant.revoked"
  | "task.finished"
  | "task.cancelled";

/** One ledger entry, as stored and as served. */
export interface LedgerEvent {
  readonly task_id: string;
  readonly seq: number;
  readonly type: EventType;
  readonly at: string;
  readonly actor: Actor;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prev_hash: string;
  readonly hash: string;
}

/** The `prev_hash` of a task's first event. */
export const GENESIS_HASH = "0".repeat(64);

/** `sha256hex(prev_hash + "\n" + canonical_json({task_id, seq, type, at, actor, data}))`. */
export function eventHash(prevHash: string, e: Omit<LedgerEvent, "prev_hash" | "hash">): string {
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
export function chainEvent(prevHash: string, e: Omit<LedgerEvent, "prev_hash" | "hash">): LedgerEvent {
  return { ...e, prev_hash: prevHash, hash: eventHash(prevHash, e) };
}

export type ChainCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly seq: number; readonly problem: string };

/**
 * Verifies a task's events, in order from seq 1: consecutive numbers, each `prev_hash` the
 * previous hash, each hash recomputed. Names the first bad seq.
 */
export function verifyChain(events: readonly LedgerEvent[]): ChainCheck {
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
