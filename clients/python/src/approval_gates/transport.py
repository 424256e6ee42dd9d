"""HTTP for the client: JSON, credentials, time limits, typed errors and bounded retries."""

from __future__ import annotations

import json
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional
from urllib.parse import urlencode, urlsplit

from .errors import GatesApiError, error_for

__all__ = ["HttpRequest", "HttpResponse", "RetryOptions", "Transport", "TransportFailure", "urllib_send"]

# Throttled, unavailable, and the gateway's timeout (a long-poll near API Gateway's 29 s limit):
# idempotent calls ask again, since nothing was decided.
_RETRYABLE_STATUS = {429, 503, 504}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: Optional[bytes]
    timeout_s: float


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


class TransportFailure(Exception):
    """No answer: the connection failed (``timed_out`` False) or the time ran out."""

    def __init__(self, reason: str, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


#: Sends one request and returns the answer, whatever its status; raises :class:`TransportFailure`.
Send = Callable[[HttpRequest], HttpResponse]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The API never redirects; following one would carry the credentials to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def urllib_send(request: HttpRequest) -> HttpResponse:
    """The standard library's HTTP client, refusing redirects."""
    req = urllib.request.Request(request.url, data=request.body, method=request.method, headers=dict(request.headers))
    try:
        with _OPENER.open(req, timeout=request.timeout_s) as answer:
            return HttpResponse(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as answer:
        # Error statuses (and refused redirects) still carry the API's answer.
        with answer:
            body = answer.read() or b""
            return HttpResponse(answer.code, {k.lower(): v for k, v in answer.headers.items()}, body)
    except (socket.timeout, TimeoutError) as error:
        raise TransportFailure(str(error) or "timed out", timed_out=True) from error
    except urllib.error.URLError as error:
        timed_out = isinstance(error.reason, (socket.timeout, TimeoutError))
        raise TransportFailure(str(error.reason), timed_out=timed_out) from error
    except (OSError, ValueError) as error:
        raise TransportFailure(str(error)) from error


@dataclass(frozen=True)
class RetryOptions:
    """How hard idempotent calls are retried: at most ``attempts`` in all, with full jitter."""

    attempts: int = 3
    base_delay_ms: float = 200
    max_delay_ms: float = 5000


#: Adds credentials to a request's headers: (method, url, headers, body) -> headers.
Authenticator = Callable[[str, str, Dict[str, str], Optional[bytes]], Dict[str, str]]

_NOT_JSON = object()


def _parse_json(body: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        # JavaScript's JSON.parse knows no NaN or Infinity; neither does this.
        return json.loads(body.decode("utf-8"), parse_constant=refuse)
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON


def _json_body(body: Any) -> bytes:
    """The body as strict JSON: NaN and Infinity, which JSON has no words for, are refused like
    values it cannot hold at all, before anything is sent."""
    try:
        return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        problem = "invalid request: the body cannot be sent as JSON (%s)" % error
        raise error_for(0, "INVALID_REQUEST", problem) from error


def _error_from_response(response: HttpResponse, parsed: Any) -> GatesApiError:
    retry_after: Optional[float] = None
    try:
        value = float(response.headers.get("retry-after", ""))
        retry_after = value if value > 0 and value != float("inf") else None
    except ValueError:
        pass
    header_id = response.headers.get("x-request-id")
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
        request_id = error["request_id"] if isinstance(error.get("request_id"), str) else header_id
        details = error["details"] if isinstance(error.get("details"), dict) else None
        return error_for(response.status, error["code"], error["message"], request_id, details, retry_after)
    status = response.status
    return GatesApiError(status, "HTTP_%d" % status, "HTTP %d without an error body" % status, header_id)


@dataclass
class Transport:
    """Sends calls to one API and returns parsed JSON, or raises a typed :class:`GatesApiError`."""

    base_url: str
    authenticate: Authenticator
    retry: RetryOptions = field(default_factory=RetryOptions)
    timeout_s: float = 15.0
    send: Send = urllib_send
    sleep: Callable[[float], None] = time.sleep

    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return "%s://%s" % (parts.scheme, parts.netloc)

    def call(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        idempotent: bool = False,
        extra_time_s: float = 0,
    ) -> Any:
        attempts = max(1, self.retry.attempts) if idempotent else 1
        attempt = 1
        while True:
            try:
                return self._once(method, path, query, body, extra_time_s)
            except GatesApiError as error:
                retryable = error.code == "NETWORK_ERROR" or error.status in _RETRYABLE_STATUS
                if attempt >= attempts or not retryable:
                    raise
                ceiling = min(self.retry.max_delay_ms, self.retry.base_delay_ms * 2 ** (attempt - 1))
                wait_ms = (
                    min(self.retry.max_delay_ms, error.retry_after_s * 1000)
                    if error.retry_after_s is not None
                    else random.random() * ceiling
                )
                self.sleep(wait_ms / 1000)
                attempt += 1

    def _url(self, path: str, query: Optional[Mapping[str, Any]]) -> str:
        url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        present = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        return url + ("?" + urlencode(present) if present else "")

    def _once(self, method: str, path: str, query: Optional[Mapping[str, Any]], body: Any, extra_time_s: float) -> Any:
        url = self._url(path, query)
        data = None if body is None else _json_body(body)
        headers = {"accept": "application/json"} if data is None else {"content-type": "application/json"}
        headers = self.authenticate(method, url, headers, data)
        timeout = self.timeout_s + extra_time_s
        try:
            response = self.send(HttpRequest(method, url, headers, data, timeout))
        except TransportFailure as failure:
            if failure.timed_out:
                raise error_for(0, "TIMEOUT", "no answer from %s within %d ms" % (self.origin(), timeout * 1000))
            raise error_for(0, "NETWORK_ERROR", "cannot reach %s: %s" % (self.origin(), failure.reason))
        parsed = _parse_json(response.body)
        if not 200 <= response.status < 300:
            raise _error_from_response(response, None if parsed is _NOT_JSON else parsed)
        if parsed is _NOT_JSON:
            raise error_for(
                response.status,
                "UNEXPECTED_RESPONSE",
                "the answer was not JSON (HTTP %d)" % response.status,
                response.headers.get("x-request-id"),
            )
        return parsed
