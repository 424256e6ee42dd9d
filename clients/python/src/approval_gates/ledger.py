"""The per-task ledger's hash chain, checked the way ``gates events --verify`` checks it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from .canonical_json import canonical_json

__all__ = ["GENESIS_HASH", "ChainCheck", "event_hash", "verify_chain"]

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


def verify_chain(events: Iterable[Mapping[str, Any]]) -> ChainCheck:
    """Checks a task's events in order from seq 1: consecutive numbers, each ``prev_hash`` the
    previous hash, each hash recomputed. Names the first bad seq."""
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
