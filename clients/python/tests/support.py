"""Paths and settings the tests share."""

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterator, Tuple

CLIENT = Path(__file__).resolve().parents[1]
REPO = CLIENT.parents[1]
FIXTURES = REPO / "contracts" / "fixtures"

# The tests run against the source tree, whatever is installed.
sys.path.insert(0, str(CLIENT / "src"))


def fixtures(kind: str) -> Iterator[Tuple[str, Any]]:
    """Each golden case of ``contracts/fixtures/<kind>``, as (file name, parsed JSON)."""
    directory = FIXTURES / kind
    for path in sorted(directory.glob("*.json")):
        yield path.name, json.loads(path.read_text(encoding="utf-8"))


def control_plane_url() -> str:
    """The control plane the live tests talk to; ``npm test`` starts one and sets it."""
    url = os.environ.get("GATES_TEST_URL")
    if not url:
        raise RuntimeError("set GATES_TEST_URL to a running control plane (npm run test:python starts one)")
    return url
