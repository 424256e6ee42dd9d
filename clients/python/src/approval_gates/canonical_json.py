"""Canonical JSON as the control plane hashes it, compatible with RFC 8785 (JCS).

Object keys are sorted by UTF-16 code units at every depth, there is no whitespace, and
strings and numbers are written exactly as JavaScript's ``JSON.stringify`` writes them, so a
ledger read from the API hashes here to the same bytes it hashed to on the server.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, List

__all__ = ["canonical_json", "js_number"]

# JSON.stringify escapes these with their short forms; other control characters become \u00XX.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}

# Integers beyond this lose precision as JavaScript numbers; they are written as the double they parse to.
_MAX_SAFE_INTEGER = 2**53 - 1


def _utf16_key(text: str) -> bytes:
    """Sorts like JavaScript's default sort: by UTF-16 code units, not by code points."""
    return text.encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    """A JSON string literal exactly as ``JSON.stringify`` writes it, lone surrogates escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def js_number(value: float) -> str:
    """A number as ECMAScript's Number::toString writes it (shortest round-trip digits).

    Non-finite numbers are ``null``, as ``JSON.stringify`` writes them, and ``-0`` is ``0``.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _MAX_SAFE_INTEGER:
        return str(value)
    try:
        number = float(value)
    except OverflowError:
        # An integer past the largest double parses to Infinity in JavaScript.
        return "null"
    if math.isnan(number) or math.isinf(number):
        return "null"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr gives the shortest digits that round-trip, as JavaScript does; Decimal splits them.
    digits_tuple = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    k = len(digits)
    n = k + int(digits_tuple.exponent)  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    exponent = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return sign + mantissa + "e" + ("+" if exponent >= 0 else "-") + str(abs(exponent))


def canonical_json(value: Any) -> str:
    """The canonical JSON text of plain JSON data (dicts, lists, str, int, float, bool, None).

    Raises ``TypeError`` for anything else (sets, bytes, objects, non-string keys).
    """
    out: List[str] = []
    # An explicit stack, so deeply nested data from the API cannot exhaust the recursion limit.
    stack: List[Any] = [("value", value)]
    while stack:
        kind, item = stack.pop()
        if kind == "text":
            out.append(item)
            continue
        if item is None:
            out.append("null")
        elif item is True:
            out.append("true")
        elif item is False:
            out.append("false")
        elif isinstance(item, str):
            out.append(_string(item))
        elif isinstance(item, (int, float)):
            out.append(js_number(item))
        elif isinstance(item, (list, tuple)):
            out.append("[")
            steps: List[Any] = []
            for index, member in enumerate(item):
                if index:
                    steps.append(("text", ","))
                steps.append(("value", member))
            steps.append(("text", "]"))
            stack.extend(reversed(steps))
        elif isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    raise TypeError("canonical_json: object keys must be strings, not %s" % type(key).__name__)
            out.append("{")
            steps = []
            for index, key in enumerate(sorted(item, key=_utf16_key)):
                steps.append(("text", ("," if index else "") + _string(key) + ":"))
                steps.append(("value", item[key]))
            steps.append(("text", "}"))
            stack.extend(reversed(steps))
        else:
            raise TypeError("canonical_json: cannot serialize a %s" % type(item).__name__)
    return "".join(out)
