"""Typed errors: one class per error code of the API, and the client's own failures."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

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


def _coded(name: str, code: str, doc: str) -> Type[GatesApiError]:
    return type(name, (GatesApiError,), {"code_name": code, "__doc__": doc})


InvalidJsonError = _coded("InvalidJsonError", "INVALID_JSON", "400: the body is not a JSON object.")
ValidationError = _coded("ValidationError", "VALIDATION_ERROR", "400: a field is invalid; details['fields'] lists them.")
UnauthenticatedError = _coded("UnauthenticatedError", "UNAUTHENTICATED", "401: no or bad credentials.")
ForbiddenError = _coded("ForbiddenError", "FORBIDDEN", "403: the wrong kind of caller for the route.")
ForbiddenBySettingsError = _coded(
    "ForbiddenBySettingsError",
    "FORBIDDEN_BY_SETTINGS",
    "403: the repo's settings refuse the registration; details['refusals'] names each field and setting.",
)
SeparationOfDutiesError = _coded(
    "SeparationOfDutiesError",
    "SEPARATION_OF_DUTIES",
    "403: a rule needs an approver other than the task's owner (@approver_not_owner).",
)
ReauthenticationRequiredError = _coded(
    "ReauthenticationRequiredError",
    "REAUTHENTICATION_REQUIRED",
    "403: approving a critical request needs a fresh sign-in; sign in again and retry.",
)
RouteNotFoundError = _coded("RouteNotFoundError", "NOT_FOUND", "404: no such route.")
TaskNotFoundError = _coded("TaskNotFoundError", "TASK_NOT_FOUND", "404: no such task, or not visible to you.")
RequestNotFoundError = _coded("RequestNotFoundError", "REQUEST_NOT_FOUND", "404: no such approval request for you.")
GrantNotFoundError = _coded("GrantNotFoundError", "GRANT_NOT_FOUND", "404: the task holds no such grant.")
CallNotFoundError = _coded(
    "CallNotFoundError", "CALL_NOT_FOUND", "404: no allowed call of the task is waiting for that outcome."
)
LockNotFoundError = _coded("LockNotFoundError", "LOCK_NOT_FOUND", "404: no such lock is in force.")
TaskExistsError = _coded("TaskExistsError", "TASK_EXISTS", "409: the task_id is taken.")
RequestAlreadyDecidedError = _coded(
    "RequestAlreadyDecidedError", "REQUEST_ALREADY_DECIDED", "409: the request is no longer pending."
)
AlreadyVotedError = _coded(
    "AlreadyVotedError", "ALREADY_VOTED", "409: you already approved; the request needs another approver."
)
LockedError = _coded("LockedError", "LOCKED", "409: a lock stops the task; nothing of it may be approved.")
TaskNotActiveError = _coded("TaskNotActiveError", "TASK_NOT_ACTIVE", "409: the task has ended.")
SlackAlreadyLinkedError = _coded("SlackAlreadyLinkedError", "SLACK_ALREADY_LINKED", "409: that Slack user is linked.")
PayloadTooLargeError = _coded("PayloadTooLargeError", "PAYLOAD_TOO_LARGE", "413: the body or tool_input is too large.")
PolicyInvalidError = _coded("PolicyInvalidError", "POLICY_INVALID", "422: policy text rejected; details['diagnostics'].")
SettingsInvalidError = _coded(
    "SettingsInvalidError", "SETTINGS_INVALID", "422: settings rejected; details['problems'] lists every one."
)
RateLimitedError = _coded("RateLimitedError", "RATE_LIMITED", "429: over a rate limit; see retry_after_s.")
InternalError = _coded("InternalError", "INTERNAL_ERROR", "500: a bug on the server.")
ServiceUnavailableError = _coded(
    "ServiceUnavailableError", "SERVICE_UNAVAILABLE", "503: a dependency failed; treat it as a DENY."
)
NetworkError = _coded("NetworkError", "NETWORK_ERROR", "The API could not be reached.")
GatesTimeoutError = _coded("GatesTimeoutError", "TIMEOUT", "The API did not answer in time.")
UnexpectedResponseError = _coded("UnexpectedResponseError", "UNEXPECTED_RESPONSE", "An answer this client does not understand.")
InvalidRequestError = _coded("InvalidRequestError", "INVALID_REQUEST", "Refused before sending: the request is invalid.")

#: The class of each error code the API answers with.
API_ERROR_CLASSES: Dict[str, Type[GatesApiError]] = {
    cls.code_name: cls
    for cls in (
        InvalidJsonError,
        ValidationError,
        UnauthenticatedError,
        ForbiddenError,
        ForbiddenBySettingsError,
        SeparationOfDutiesError,
        ReauthenticationRequiredError,
        RouteNotFoundError,
        TaskNotFoundError,
        RequestNotFoundError,
        GrantNotFoundError,
        CallNotFoundError,
        LockNotFoundError,
        TaskExistsError,
        RequestAlreadyDecidedError,
        AlreadyVotedError,
        LockedError,
        TaskNotActiveError,
        SlackAlreadyLinkedError,
        PayloadTooLargeError,
        PolicyInvalidError,
        SettingsInvalidError,
        RateLimitedError,
        InternalError,
        ServiceUnavailableError,
    )
}

_CLIENT_ERROR_CLASSES: Dict[str, Type[GatesApiError]] = {
    cls.code_name: cls for cls in (NetworkError, GatesTimeoutError, UnexpectedResponseError, InvalidRequestError)
}


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
