"""The per-task ledger's hash chain, checked the way ``gates events --verify`` checks it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional

from .canonical_json import canonical_json

__all__ = ["GENESIS_HASH", "ChainCheck", "LedgerVerification", "event_hash", "verify_chain", "verify_ledger"]

#: The ``prev_hash`` of a task's first event.
GENESIS_HASH = "0" * 64


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    """``sha256hex(prev_hash + "\\n" + canonical_json({task_id, seq, type, at, actor, data}))``."""
    body = canonical_json({key: event[key] for key in ("task_id", "seq", "type", "at", "actor", "data")})
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of :func:`verify_chain`: ``ok``, or the first bad ``seq`` and what is wrong."""

    ok: bool
    seq: Optional[int] = None
    problem: Optional[str] = None


@dataclass(frozen=True)
class LedgerVerification:
    """What :meth:`GatesClient.verify_ledger` found: the check, and the events and head it checked."""

    check: ChainCheck
    events: List[Dict[str, Any]]
    #: The task's ``last_event_seq`` and ``last_event_hash`` as the task view gave them.
    head: Dict[str, Any]


def verify_chain(events: Iterable[Mapping[str, Any]]) -> ChainCheck:
    """Checks a ledger's events (a task's, or the lock ledger's) in order from seq 1: consecutive
    numbers, each ``prev_hash`` the previous hash, each hash recomputed. Names the first bad seq."""
    prev = GENESIS_HASH
    expected_seq = 1
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq or isinstance(seq, bool):
            return ChainCheck(False, seq if isinstance(seq, int) else None, "expected seq %d" % expected_seq)
        if event.get("prev_hash") != prev:
            return ChainCheck(False, seq, "prev_hash does not match the previous hash")
        try:
            recomputed = event_hash(prev, event)
        except (KeyError, TypeError) as error:
            return ChainCheck(False, seq, "the event cannot be hashed: %s" % error)
        if recomputed != event.get("hash"):
            return ChainCheck(False, seq, "hash does not match the content")
        prev = recomputed
        expected_seq += 1
    return ChainCheck(True)


def verify_ledger(events: Iterable[Mapping[str, Any]], head: Mapping[str, Any]) -> ChainCheck:
    """Checks the chain (:func:`verify_chain`) and that it reaches the task's head, whose event
    must carry the head's hash: ``head`` is the task view (``client.task(...)``) or any mapping
    with its ``last_event_seq`` and ``last_event_hash``. A chain that stops short of the head had
    events removed from its end, which the chain alone cannot show. Events after the head are
    accepted (they were appended after the head was read), as long as they chain too."""
    events = list(events)
    chain = verify_chain(events)
    if not chain.ok:
        return chain
    head_seq = head.get("last_event_seq")
    head_hash = head.get("last_event_hash")
    if not isinstance(head_seq, int) or isinstance(head_seq, bool) or not isinstance(head_hash, str):
        return ChainCheck(False, None, "the head has no last_event_seq and last_event_hash to check against")
    last = events[-1]["seq"] if events else 0
    at_head = next((e for e in events if e.get("seq") == head_seq), None)
    if at_head is None:
        return ChainCheck(
            False,
            last + 1,
            "the ledger ends at seq %d but the task's last event is seq %d: events are missing from the end"
            % (last, head_seq),
        )
    if at_head.get("hash") != head_hash:
        return ChainCheck(False, head_seq, "hash does not match the task's last event hash")
    return ChainCheck(True)
