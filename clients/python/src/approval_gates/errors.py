"""Typed errors: one class per error code of the API, and the client's own failures."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Type, TypeVar

__all__ = [
    "GatesError",
    "GatesApiError",
    "InvalidJsonError",
    "ValidationError",
    "UnauthenticatedError",
    "ForbiddenError",
    "ForbiddenBySettingsError",
    "SeparationOfDutiesError",
    "ReauthenticationRequiredError",
    "RouteNotFoundError",
    "TaskNotFoundError",
    "RequestNotFoundError",
    "GrantNotFoundError",
    "CallNotFoundError",
    "LockNotFoundError",
    "TaskExistsError",
    "RequestAlreadyDecidedError",
    "AlreadyVotedError",
    "LockedError",
    "TaskNotActiveError",
    "SlackAlreadyLinkedError",
    "PayloadTooLargeError",
    "PolicyInvalidError",
    "SettingsInvalidError",
    "RateLimitedError",
    "InternalError",
    "ServiceUnavailableError",
    "NetworkError",
    "GatesTimeoutError",
    "UnexpectedResponseError",
    "InvalidRequestError",
    "API_ERROR_CLASSES",
    "error_for",
]


class GatesError(Exception):
    """Anything this client raises."""


class GatesApiError(GatesError):
    """An error answer from the API, or a failure to get one.

    ``status`` is the HTTP status, or 0 when no answer arrived or the request was refused
    before sending; ``code`` is the API's error code (``TASK_NOT_FOUND``, …) or one of the
    client's (``NETWORK_ERROR``, ``TIMEOUT``, ``UNEXPECTED_RESPONSE``, ``INVALID_REQUEST``).
    """

    #: The code a subclass stands for.
    code_name: str = ""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: Optional[str] = None,
        details: Optional[Mapping[str, Any]] = None,
        retry_after_s: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details: Dict[str, Any] = dict(details) if details else {}
        #: Seconds the server asked us to wait (429).
        self.retry_after_s = retry_after_s

    def __repr__(self) -> str:
        return "%s(status=%d, code=%r, message=%r)" % (type(self).__name__, self.status, self.code, self.message)


def _entries(value: Any, required: Sequence[str], optional: Sequence[str] = ()) -> List[Dict[str, str]]:
    """The objects of a ``details`` list whose named fields are strings, holding those fields only."""
    entries: List[Dict[str, str]] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not all(isinstance(item.get(key), str) for key in required):
            continue
        entries.append({key: item[key] for key in (*required, *optional) if isinstance(item.get(key), str)})
    return entries


_ErrorClass = TypeVar("_ErrorClass", bound="Type[GatesApiError]")

#: The class of each error code the API answers with.
API_ERROR_CLASSES: Dict[str, Type[GatesApiError]] = {}
_CLIENT_ERROR_CLASSES: Dict[str, Type[GatesApiError]] = {}


def _registered(registry: Dict[str, Type[GatesApiError]], code: str) -> Callable[[_ErrorClass], _ErrorClass]:
    """Names the code a class stands for and files it, so each class and its code are written once."""

    def register(cls: _ErrorClass) -> _ErrorClass:
        cls.code_name = code
        registry[code] = cls
        return cls

    return register


def _api_code(code: str) -> Callable[[_ErrorClass], _ErrorClass]:
    return _registered(API_ERROR_CLASSES, code)


def _client_code(code: str) -> Callable[[_ErrorClass], _ErrorClass]:
    return _registered(_CLIENT_ERROR_CLASSES, code)


@_api_code("INVALID_JSON")
class InvalidJsonError(GatesApiError):
    """400: the body is not a JSON object."""


@_api_code("VALIDATION_ERROR")
class ValidationError(GatesApiError):
    """400: a field is invalid; details['fields'] lists them."""


@_api_code("UNAUTHENTICATED")
class UnauthenticatedError(GatesApiError):
    """401: no or bad credentials."""


@_api_code("FORBIDDEN")
class ForbiddenError(GatesApiError):
    """403: the wrong kind of caller for the route."""


@_api_code("FORBIDDEN_BY_SETTINGS")
class ForbiddenBySettingsError(GatesApiError):
    """403: the repo's settings refuse the registration; details['refusals'] names each field and setting."""


@_api_code("SEPARATION_OF_DUTIES")
class SeparationOfDutiesError(GatesApiError):
    """403: a rule needs an approver other than the task's owner (@approver_not_owner)."""


@_api_code("REAUTHENTICATION_REQUIRED")
class ReauthenticationRequiredError(GatesApiError):
    """403: approving a critical request needs a fresh sign-in; sign in again and retry."""


@_api_code("NOT_FOUND")
class RouteNotFoundError(GatesApiError):
    """404: no such route."""


@_api_code("TASK_NOT_FOUND")
class TaskNotFoundError(GatesApiError):
    """404: no such task, or not visible to you."""


@_api_code("REQUEST_NOT_FOUND")
class RequestNotFoundError(GatesApiError):
    """404: no such approval request for you."""


@_api_code("GRANT_NOT_FOUND")
class GrantNotFoundError(GatesApiError):
    """404: the task holds no such grant."""


@_api_code("CALL_NOT_FOUND")
class CallNotFoundError(GatesApiError):
    """404: no allowed call of the task is waiting for that outcome."""


@_api_code("LOCK_NOT_FOUND")
class LockNotFoundError(GatesApiError):
    """404: no such lock is in force."""


@_api_code("TASK_EXISTS")
class TaskExistsError(GatesApiError):
    """409: the task_id is taken."""


@_api_code("REQUEST_ALREADY_DECIDED")
class RequestAlreadyDecidedError(GatesApiError):
    """409: the request is no longer pending."""


@_api_code("ALREADY_VOTED")
class AlreadyVotedError(GatesApiError):
    """409: you already approved; the request needs another approver."""


@_api_code("LOCKED")
class LockedError(GatesApiError):
    """409: a lock stops the task; nothing of it may be approved."""


@_api_code("TASK_NOT_ACTIVE")
class TaskNotActiveError(GatesApiError):
    """409: the task has ended."""


@_api_code("SLACK_ALREADY_LINKED")
class SlackAlreadyLinkedError(GatesApiError):
    """409: that Slack user is linked."""


@_api_code("PAYLOAD_TOO_LARGE")
class PayloadTooLargeError(GatesApiError):
    """413: the body or tool_input is too large."""


@_api_code("POLICY_INVALID")
class PolicyInvalidError(GatesApiError):
    """422: policy text rejected; :attr:`diagnostics` (``details['diagnostics']``) says why."""

    @property
    def diagnostics(self) -> List[Dict[str, str]]:
        """Each problem as ``{"message", "rule_id"?}``; entries of another shape are left out."""
        return _entries(self.details.get("diagnostics"), required=("message",), optional=("rule_id",))


@_api_code("SETTINGS_INVALID")
class SettingsInvalidError(GatesApiError):
    """422: a settings document rejected; :attr:`problems` (``details['problems']``) lists every one."""

    @property
    def problems(self) -> List[Dict[str, str]]:
        """Each problem as ``{"field", "message"}``, e.g. ``approval_timeout_s.default``; entries of
        another shape are left out."""
        return _entries(self.details.get("problems"), required=("field", "message"))


@_api_code("RATE_LIMITED")
class RateLimitedError(GatesApiError):
    """429: over a rate limit; see retry_after_s."""


@_api_code("INTERNAL_ERROR")
class InternalError(GatesApiError):
    """500: a bug on the server."""


@_api_code("SERVICE_UNAVAILABLE")
class ServiceUnavailableError(GatesApiError):
    """503: a dependency failed; treat it as a DENY."""


@_client_code("NETWORK_ERROR")
class NetworkError(GatesApiError):
    """The API could not be reached."""


@_client_code("TIMEOUT")
class GatesTimeoutError(GatesApiError):
    """The API did not answer in time."""


@_client_code("UNEXPECTED_RESPONSE")
class UnexpectedResponseError(GatesApiError):
    """An answer this client does not understand."""


@_client_code("INVALID_REQUEST")
class InvalidRequestError(GatesApiError):
    """Refused before sending: the request is invalid."""


def error_for(
    status: int,
    code: str,
    message: str,
    request_id: Optional[str] = None,
    details: Optional[Mapping[str, Any]] = None,
    retry_after_s: Optional[float] = None,
) -> GatesApiError:
    """The typed error for a code; a code this client does not know is a plain ``GatesApiError``."""
    cls = API_ERROR_CLASSES.get(code) or _CLIENT_ERROR_CLASSES.get(code) or GatesApiError
    return cls(status, code, message, request_id, details, retry_after_s)
