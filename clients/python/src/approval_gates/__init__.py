"""Approval Gates for Python: ask before an agent's tool call, wait for a human, fail closed.

Standard library only. ``GatesClient(url, token=...)`` or ``GatesClient(url, sigv4=SigV4())``;
``guard(task_id, tool_name, tool_input)`` returns ``GuardResult(allowed=...)`` and is never
``allowed`` after an error.
"""

from .canonical_json import canonical_json
from .client import GatesClient, GuardResult, Outcome, SigV4
from .errors import *  # noqa: F401,F403 - the typed errors are part of the API
from .errors import __all__ as _error_names
from .ledger import GENESIS_HASH, ChainCheck, LedgerVerification, event_hash, verify_chain, verify_ledger
from .sigv4 import AwsCredentials
from .transport import RetryOptions

__version__ = "0.1.0"

__all__ = [
    "AwsCredentials",
    "ChainCheck",
    "GENESIS_HASH",
    "GatesClient",
    "GuardResult",
    "LedgerVerification",
    "Outcome",
    "RetryOptions",
    "SigV4",
    "canonical_json",
    "event_hash",
    "verify_chain",
    "verify_ledger",
    *_error_names,
]
