import { chainEvent, GENESIS_HASH, type LedgerEvent, verifyLedger } from "../../lambdas/core/ledger";

/** A chain of `length` events of one task, each sealed onto the previous one. */
function chainOf(length: number): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  for (let seq = 1; seq <= length; seq += 1) {
    const prev = events.at(-1)?.hash ?? GENESIS_HASH;
    events.push(
      chainEvent(prev, {
        task_id: "t1",
        seq,
        type: seq === 1 ? "task.created" : "tool_call.evaluated",
        at: `2026-01-01T00:00:0${seq}.000Z`,
        actor: { kind: "agent", id: "a1" },
        data: { n: seq },
      }),
    );
  }
  return events;
}

const headOf = (events: readonly LedgerEvent[]) => ({
  last_event_seq: events.at(-1)?.seq ?? 0,
  last_event_hash: events.at(-1)?.hash ?? GENESIS_HASH,
});

describe("verifyLedger", () => {
  it("accepts a whole chain that reaches the task's head", () => {
    // Prepare
    const events = chainOf(5);

    // Act
    const check = verifyLedger(events, headOf(events));

    // Assess
    expect(check).toEqual({ ok: true });
  });

  it("accepts events appended after the head was read", () => {
    // Prepare
    const events = chainOf(5);

    // Act
    const check = verifyLedger(events, headOf(events.slice(0, 3)));

    // Assess
    expect(check).toEqual({ ok: true });
  });

  it.each([1, 2, 4])("sees %i events cut from the end, which the chain alone cannot", (cut) => {
    // Prepare
    const events = chainOf(5);
    const head = headOf(events);

    // Act
    const check = verifyLedger(events.slice(0, 5 - cut), head);

    // Assess
    expect(check).toEqual({
      ok: false,
      seq: 6 - cut,
      problem: `the ledger ends at seq ${5 - cut} but the task's last event is seq 5: events are missing from the end`,
    });
  });

  it("sees an event at the head's seq that does not carry the head's hash", () => {
    // Prepare
    const events = chainOf(4);

    // Act
    const check = verifyLedger(events, { last_event_seq: 4, last_event_hash: events[0]?.hash ?? "" });

    // Assess
    expect(check).toEqual({ ok: false, seq: 4, problem: "hash does not match the task's last event hash" });
  });

  it("reports a broken chain before looking at the head", () => {
    // Prepare
    const events = chainOf(3);
    const tampered = events.map((e) => (e.seq === 2 ? { ...e, data: { n: 99 } } : e));

    // Act
    const check = verifyLedger(tampered, headOf(events));

    // Assess
    expect(check).toMatchObject({ ok: false, seq: 2, problem: "hash does not match the content" });
  });
});
