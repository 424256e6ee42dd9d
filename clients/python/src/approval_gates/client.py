"""The Approval Gates client: what an agent asks before a tool call, and what a human decides."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, cast
from urllib.parse import quote, urlsplit

from .errors import GatesApiError, error_for
from .ledger import LedgerVerification
from .ledger import verify_ledger as check_ledger
from .sigv4 import CredentialsSource, region_from_host, resolve_credentials, sign_request
from .transport import RetryOptions, Send, Transport, urllib_send

__all__ = ["GatesClient", "GuardResult", "Outcome", "SigV4"]

#: The longest long-poll the API serves, in seconds.
MAX_WAIT_S = 25
_LIST_LIMIT = 100
# How long past a request's own timeout guard keeps waiting, for clock skew and slow links.
_GRACE_MS = 30_000
_DEFAULT_TIMEOUT_S = 300
_DECISIONS = ("ALLOW", "DENY", "REQUIRE_APPROVAL")
_STATUSES = ("PENDING", "APPROVED", "DENIED", "TIMED_OUT", "CANCELLED")

#: What became of an allowed call: it ran (whatever its result), or its tool failed to answer.
Outcome = Literal["executed", "upstream_error"]


@dataclass(frozen=True)
class SigV4:
    """Sign requests with SigV4, as IAM agents do on a deployed API.

    ``region`` defaults to the one in an API Gateway host name, then ``AWS_REGION``;
    ``credentials`` to the environment, then ``~/.aws/credentials``. A callable is asked for
    fresh credentials on every request (for example boto3's
    ``lambda: session.get_credentials().get_frozen_credentials()``).
    """

    region: Optional[str] = None
    credentials: Optional[CredentialsSource] = None


@dataclass(frozen=True)
class GuardResult:
    """What :meth:`GatesClient.guard` concludes about one tool call."""

    #: True only when the control plane allowed the call, directly or through a human.
    allowed: bool
    #: ``ALLOW`` or ``DENY``; ``DENY`` whenever anything went wrong.
    decision: str
    reason: str
    #: The approval request that was asked, if any.
    request_id: Optional[str] = None


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def _unexpected(what: str, problem: str) -> GatesApiError:
    return error_for(0, "UNEXPECTED_RESPONSE", "unexpected %s from the API: %s" % (what, problem))


def _expect_shape(value: Any, what: str, required: Mapping[str, str]) -> Dict[str, Any]:
    """An answer with the fields its type requires; anything else is an error, never half an object."""
    if _kind_of(value) != "object":
        raise _unexpected(what, "not an object")
    for key, kind in required.items():
        if _kind_of(value.get(key)) != kind:
            raise _unexpected(what, "field %s is not a %s" % (key, kind))
    return cast(Dict[str, Any], value)


def _expect_evaluation(value: Any) -> Dict[str, Any]:
    e = _expect_shape(value, "evaluation", {"decision": "string", "reason": "string", "rule_ids": "array"})
    if e["decision"] not in _DECISIONS:
        raise _unexpected("evaluation", "unknown decision %s" % e["decision"])
    if e["decision"] == "REQUIRE_APPROVAL" and not isinstance(e.get("request_id"), str):
        raise _unexpected("evaluation", "REQUIRE_APPROVAL without a request_id")
    return e


def _expect_approval(value: Any) -> Dict[str, Any]:
    a = _expect_shape(
        value, "approval", {"task_id": "string", "request_id": "string", "status": "string", "tool_name": "string"}
    )
    if a["status"] not in _STATUSES:
        raise _unexpected("approval", "unknown status %s" % a["status"])
    return a


_TASK = {"task_id": "string", "status": "string", "owner": "string"}
_SETTINGS = {"layer": "string", "version": "number", "settings": "object"}
_LOCK = {"lock_id": "string", "target": "string"}
_POLICIES = {"version": "number", "hard": "array", "soft": "array"}


def _invalid(problem: str) -> GatesApiError:
    return error_for(0, "INVALID_REQUEST", "invalid request: %s" % problem)


def _segment(value: str) -> str:
    """A path segment encoded as JavaScript's encodeURIComponent encodes it (``acme/app`` is
    ``acme%2Fapp``; the layers ``acme/*`` and ``*`` keep their ``*``).

    No id of the API is empty, ``.`` or ``..``, and those three would not stay one segment: an
    empty one names another route, and a proxy may resolve dots to the parent path. They are
    refused before sending, as anything but a string is.
    """
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise _invalid("a task id, request id, repo id or lock id must be a non-empty string other than . and ..")
    return quote(value, safe="!~*'()")


def _check_tool_call(tool_name: Any, tool_input: Any, tool_use_id: Optional[str]) -> None:
    """The checks the API's schema makes, so a bad call fails here without being sent."""
    if not isinstance(tool_name, str) or not 1 <= len(tool_name) <= 128:
        raise _invalid("tool_name: must be a string of 1 to 128 characters")
    if not isinstance(tool_input, dict):
        raise _invalid("tool_input: must be a JSON object")
    if tool_use_id is not None and (not isinstance(tool_use_id, str) or not 1 <= len(tool_use_id) <= 256):
        raise _invalid("tool_use_id: must be a string of 1 to 256 characters")


_KIND_WORDS = {
    "string": "a string",
    "number": "a whole number",
    "boolean": "True or False",
    "array": "a list",
    "object": "a mapping (a JSON object)",
}


def _body(**fields: Any) -> Dict[str, Any]:
    """A request body of the fields given, each of the JSON kind it must be; ``None`` leaves a
    field out. Only kinds are checked here (a message never repeats the value, which may be a
    secret); ranges and forms are the server's to judge, with a 400 naming the field."""
    body: Dict[str, Any] = {}
    for name, (value, kind) in fields.items():
        if value is None:
            continue
        if kind == "array" and isinstance(value, tuple):
            value = list(value)
        elif kind == "object" and isinstance(value, Mapping) and not isinstance(value, dict):
            value = dict(value)
        if _kind_of(value) != kind or (kind == "number" and not isinstance(value, int)):
            raise _invalid("%s: must be %s" % (name, _KIND_WORDS[kind]))
        body[name] = value
    return body


class GatesClient:
    """A client for one Approval Gates API.

    ``token`` is a bearer token (a Cognito id token, or locally ``local:agent:<id>``);
    ``sigv4`` signs requests for IAM agents instead. Idempotent calls (reads, dry runs,
    ``create_task`` with a ``task_id``) are retried on 429, 503, 504 and network errors.
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        sigv4: Optional[SigV4] = None,
        retry: Optional[RetryOptions] = None,
        timeout_s: float = 15.0,
        send: Send = urllib_send,
    ) -> None:
        if token is not None and sigv4 is not None:
            raise ValueError("give token or sigv4, not both")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("url must be an http(s) URL, not %r" % url)
        if token is not None:
            bearer = token if token.lower().startswith("bearer ") else "Bearer " + token

            def authenticate(method: str, target: str, headers: Dict[str, str], body: Optional[bytes]) -> Dict[str, str]:
                return dict(headers, authorization=bearer)

        elif sigv4 is not None:
            # Bound where it is known to be set, so the closure's type says so too.
            signing = sigv4

            def authenticate(method: str, target: str, headers: Dict[str, str], body: Optional[bytes]) -> Dict[str, str]:
                host = urlsplit(target).hostname or ""
                region = (
                    signing.region
                    or region_from_host(host)
                    or os.environ.get("AWS_REGION")
                    or os.environ.get("AWS_DEFAULT_REGION")
                )
                if not region:
                    raise error_for(0, "INVALID_REQUEST", "SigV4 needs a region: pass SigV4(region=...) or set AWS_REGION")
                try:
                    credentials = resolve_credentials(signing.credentials)
                except (LookupError, TypeError) as error:
                    raise error_for(0, "INVALID_REQUEST", str(error)) from error
                return sign_request(method, target, headers, body, credentials, region)

        else:

            def authenticate(method: str, target: str, headers: Dict[str, str], body: Optional[bytes]) -> Dict[str, str]:
                return headers

        self._http = Transport(url, authenticate, retry or RetryOptions(), timeout_s, send)

    # --- agents -----------------------------------------------------------------------------

    def health(self) -> Dict[str, Any]:
        """``GET /v1/health``."""
        return _expect_shape(self._http.call("GET", "/v1/health", idempotent=True), "health", {"status": "string"})

    def whoami(self) -> Dict[str, Any]:
        """The caller as the server identifies it: ``{kind, id, admin}``."""
        reply = self._http.call("GET", "/v1/whoami", idempotent=True)
        return _expect_shape(reply, "whoami", {"kind": "string", "id": "string", "admin": "boolean"})

    def create_task(self, owner: str, repo: str, task_id: Optional[str] = None, **settings: Any) -> Dict[str, Any]:
        """Registers a task; with a ``task_id`` it is idempotent, so it is retried.

        ``settings`` are the other fields of ``POST /v1/tasks`` (``read_only``,
        ``approval_timeout_s``, ``initial_grants``, …). Who approves comes from the repo's settings;
        ``approvers`` or ``initial_grants`` they do not allow raise ``ForbiddenBySettingsError``.
        """
        body: Dict[str, Any] = {"owner": owner, "repo": repo, **settings}
        if task_id is not None:
            body["task_id"] = task_id
        reply = self._http.call("POST", "/v1/tasks", body=body, idempotent=task_id is not None)
        return _expect_shape(reply, "task", _TASK)

    def evaluate(
        self,
        task_id: str,
        tool_name: str,
        tool_input: Mapping[str, Any],
        tool_use_id: Optional[str] = None,
        track_outcome: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """Asks whether a tool call may run: ``decision`` is ALLOW, DENY or REQUIRE_APPROVAL.

        With ``track_outcome=True`` the caller promises to :meth:`report_outcome` what became of
        an allowed call; it changes no decision.
        """
        _check_tool_call(tool_name, tool_input, tool_use_id)
        body: Dict[str, Any] = {"tool_name": tool_name, "tool_input": tool_input}
        body.update(_body(tool_use_id=(tool_use_id, "string"), track_outcome=(track_outcome, "boolean")))
        return _expect_evaluation(self._http.call("POST", "/v1/tasks/%s/tool-calls" % _segment(task_id), body=body))

    def get_approval(self, task_id: str, request_id: str, wait_s: float = 0) -> Dict[str, Any]:
        """Reads an approval, long-polling up to ``wait_s`` seconds (0–25) for a decision."""
        wait = max(0, min(MAX_WAIT_S, int(math.floor(wait_s))))
        reply = self._http.call(
            "GET",
            "/v1/tasks/%s/approvals/%s" % (_segment(task_id), _segment(request_id)),
            query={"wait_s": wait} if wait > 0 else None,
            idempotent=True,
            extra_time_s=wait,
        )
        return _expect_approval(reply)

    def wait_for_decision(self, task_id: str, request_id: str, deadline: float) -> Dict[str, Any]:
        """Long-polls until the request is decided or ``deadline`` (a ``time.time()`` value)
        passes; the view returned is still PENDING only when the deadline came first."""
        while True:
            remaining_s = math.ceil(deadline - time.time())
            view = self.get_approval(task_id, request_id, min(MAX_WAIT_S, max(0, remaining_s)))
            if view["status"] != "PENDING" or time.time() >= deadline:
                return view

    def guard(
        self,
        task_id: str,
        tool_name: str,
        tool_input: Mapping[str, Any],
        max_wait_ms: Optional[float] = None,
        tool_use_id: Optional[str] = None,
    ) -> GuardResult:
        """Asks before a tool call and waits while a human decides. Fails closed: any error,
        answer it does not understand or missed deadline gives ``allowed=False``."""
        try:
            evaluation = self.evaluate(task_id, tool_name, tool_input, tool_use_id)
            if evaluation["decision"] == "ALLOW":
                return GuardResult(True, "ALLOW", evaluation["reason"])
            if evaluation["decision"] != "REQUIRE_APPROVAL" or not evaluation.get("request_id"):
                return GuardResult(False, "DENY", evaluation["reason"] or "denied by policy")
            request_id = evaluation["request_id"]
            timeout_s = evaluation.get("timeout_s")
            wait_ms = max_wait_ms if max_wait_ms is not None else (
                (timeout_s if timeout_s is not None else _DEFAULT_TIMEOUT_S) * 1000 + _GRACE_MS
            )
            view = self.wait_for_decision(task_id, request_id, time.time() + wait_ms / 1000)
            by = view.get("decided_by") or "a human"
            status = view["status"]
            if status == "APPROVED":
                scope = " (scope %s)" % view["scope"] if view.get("scope") else ""
                return GuardResult(True, "ALLOW", "approved by %s%s" % (by, scope), request_id)
            if status == "DENIED":
                why = ": %s" % view["deny_reason"] if view.get("deny_reason") else ""
                return GuardResult(False, "DENY", "denied by %s%s" % (by, why), request_id)
            if status == "TIMED_OUT":
                return GuardResult(False, "DENY", "no one approved the call before its deadline", request_id)
            if status == "CANCELLED":
                return GuardResult(False, "DENY", "the task was cancelled", request_id)
            return GuardResult(False, "DENY", "no decision arrived in time", request_id)
        except Exception as error:  # noqa: BLE001 - every failure must block the call
            why = "%s: %s" % (error.code, error.message) if isinstance(error, GatesApiError) else str(error)
            return GuardResult(False, "DENY", "Approval Gates could not be asked, so the call is blocked (%s)" % why)

    def finish(self, task_id: str, status: str, summary: Optional[str] = None) -> Dict[str, Any]:
        """Ends the task as its agent (``COMPLETED`` or ``FAILED``); pending requests are cancelled."""
        body: Dict[str, Any] = {"status": status}
        if summary is not None:
            body["summary"] = summary
        return _expect_shape(self._http.call("POST", "/v1/tasks/%s/finish" % _segment(task_id), body=body), "task", _TASK)

    def withdraw(self, task_id: str, request_id: str, reason: Optional[str] = None) -> Dict[str, Any]:
        """Withdraws one of the agent's own PENDING requests: it ends CANCELLED and can no longer be
        approved. A request already decided raises ``RequestAlreadyDecidedError``."""
        path = "/v1/tasks/%s/approvals/%s/withdraw" % (_segment(task_id), _segment(request_id))
        return _expect_approval(self._http.call("POST", path, body=_body(reason=(reason or None, "string"))))

    def report_outcome(
        self,
        task_id: str,
        outcome: Outcome,
        duration_ms: int,
        *,
        event_seq: Optional[int] = None,
        request_id: Optional[str] = None,
        result_sha256: Optional[str] = None,
        result_is_error: Optional[bool] = None,
        error: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Records in the task's ledger what became of an allowed call: ``executed`` (whatever its
        result) or ``upstream_error``. Name the call by exactly one of ``event_seq`` (the
        ``event_seq`` of its ALLOW, evaluated with ``track_outcome=True``) or ``request_id`` (a
        request a human approved); an unknown one raises ``CallNotFoundError``. ``error`` passes
        through the server's secret scanner before it is stored."""
        if (event_seq is None) == (request_id is None):
            raise _invalid("name the call with exactly one of event_seq (an ALLOW) or request_id (an approved request)")
        body = _body(
            event_seq=(event_seq, "number"),
            request_id=(request_id, "string"),
            outcome=(outcome, "string"),
            duration_ms=(duration_ms, "number"),
            result_sha256=(result_sha256, "string"),
            result_is_error=(result_is_error, "boolean"),
            error=(error, "string"),
        )
        if "duration_ms" not in body or "outcome" not in body:
            raise _invalid("outcome and duration_ms are required")
        reply = self._http.call("POST", "/v1/tasks/%s/outcomes" % _segment(task_id), body=body)
        return _expect_shape(reply, "outcome", {"event_seq": "number", "outcome": "string"})

    # --- humans and both ----------------------------------------------------------------------

    def task(self, task_id: str) -> Dict[str, Any]:
        """The task view."""
        return _expect_shape(self._http.call("GET", "/v1/tasks/%s" % _segment(task_id), idempotent=True), "task", _TASK)

    def events(self, task_id: str, after_seq: int = 0) -> List[Dict[str, Any]]:
        """The task's ledger in sequence order, every page: all of it, or what follows ``after_seq``."""
        return self._ledger("/v1/tasks/%s/events" % _segment(task_id), "events page", after_seq)

    def verify_ledger(self, task_id: str) -> LedgerVerification:
        """Checks the task's whole ledger against the task's head: every hash of the chain, and that
        no event is missing from its end (which the chain alone cannot show). The task is read
        first, so events appended meanwhile pass; a task view without a head fails the check."""
        task = self.task(task_id)
        events = self.events(task_id)
        head = {"last_event_seq": task.get("last_event_seq"), "last_event_hash": task.get("last_event_hash")}
        return LedgerVerification(check_ledger(events, head), events, head)

    def pending(self, repo: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every pending approval the caller may decide, soonest deadline first (all pages)."""
        items: List[Dict[str, Any]] = []
        token: Optional[str] = None
        while True:
            reply = self._http.call(
                "GET", "/v1/pending", query={"limit": _LIST_LIMIT, "next_token": token, "repo": repo}, idempotent=True
            )
            page = _expect_shape(reply, "pending page", {"items": "array"})
            items.extend(page["items"])
            token = page.get("next_token")
            if not token:
                return items

    def approve(self, task_id: str, request_id: str, scope: Optional[str] = None) -> Dict[str, Any]:
        """Approves a request, optionally with a wider scope (``tool:Bash``, ``rule:force_push``, …)."""
        body: Dict[str, Any] = {"request_id": request_id}
        if scope:
            body["scope"] = scope
        return _expect_approval(self._http.call("POST", "/v1/tasks/%s/approve" % _segment(task_id), body=body))

    def deny(self, task_id: str, request_id: str, reason: Optional[str] = None) -> Dict[str, Any]:
        """Denies a request; the reason reaches the agent."""
        body: Dict[str, Any] = {"request_id": request_id}
        if reason:
            body["reason"] = reason
        return _expect_approval(self._http.call("POST", "/v1/tasks/%s/deny" % _segment(task_id), body=body))

    def cancel(self, task_id: str, reason: Optional[str] = None) -> Dict[str, Any]:
        """The kill switch: cancels the task and every pending request."""
        body = {"reason": reason} if reason else {}
        return _expect_shape(self._http.call("POST", "/v1/tasks/%s/cancel" % _segment(task_id), body=body), "task", _TASK)

    def revoke_grant(self, task_id: str, scope: str) -> Dict[str, Any]:
        """Drops a grant the task holds."""
        reply = self._http.call("POST", "/v1/tasks/%s/grants/revoke" % _segment(task_id), body={"scope": scope})
        return _expect_shape(reply, "task", _TASK)

    def link_slack(self, code: str) -> Dict[str, Any]:
        """Links the caller's Slack account with the one-time code ``/gates link`` showed in Slack
        (hyphen and case optional). A wrong or used code raises ``ValidationError``."""
        reply = self._http.call("POST", "/v1/slack/link", body=_body(code=(code, "string")))
        return _expect_shape(reply, "slack link", {"slack_user_id": "string"})

    def unlink_slack(self) -> Dict[str, Any]:
        """Unlinks every Slack account linked to the caller: ``{"unlinked": n}``."""
        return _expect_shape(self._http.call("DELETE", "/v1/slack/link"), "slack unlink", {"unlinked": "number"})

    # --- policies ------------------------------------------------------------------------------

    def policies(self, repo: str) -> Dict[str, Any]:
        """The rules in force for a repo (built-ins are version 0)."""
        reply = self._http.call("GET", "/v1/repos/%s/policies" % _segment(repo), idempotent=True)
        return _expect_shape(reply, "policies", _POLICIES)

    def publish_policies(self, repo: str, policies: str, disable: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """Publishes Cedar text as the next policy version of a repo or layer (``acme/app``,
        ``acme/*``, ``*``; admins only), optionally disabling soft built-in rules. Answers the new
        version's view with ``warnings``; rejected text raises ``PolicyInvalidError`` with its
        ``diagnostics``. Not retried: every publish is a new version."""
        body = _body(policies=(policies, "string"), disable=(disable, "array"))
        if "policies" not in body:
            raise _invalid("policies: must be a string of Cedar text")
        reply = self._http.call("PUT", "/v1/repos/%s/policies" % _segment(repo), body=body)
        return _expect_shape(reply, "policies", _POLICIES)

    def dry_run(
        self, repo: str, tool_name: str, tool_input: Mapping[str, Any], read_only: Optional[bool] = None,
        policies: Optional[str] = None,
    ) -> Dict[str, Any]:
        """What the repo's policies (or candidate ``policies`` text) would decide. Writes nothing."""
        body: Dict[str, Any] = {"tool_name": tool_name, "tool_input": tool_input}
        if read_only is not None:
            body["read_only"] = read_only
        if policies is not None:
            body["policies"] = policies
        reply = self._http.call("POST", "/v1/repos/%s/policies/evaluate" % _segment(repo), body=body, idempotent=True)
        return _expect_shape(reply, "dry run", {"decision": "string", "rule_ids": "array"})

    # --- governance: what admins decide -------------------------------------------------------

    def settings(self, repo: str) -> Dict[str, Any]:
        """The settings new tasks of a repo (or of a layer: ``acme/*``, ``*``) register under, and
        where they come from: ``layer`` is the most specific published layer, or ``default``
        (version 0) when none is."""
        reply = self._http.call("GET", "/v1/repos/%s/settings" % _segment(repo), idempotent=True)
        return _expect_shape(reply, "settings", _SETTINGS)

    def publish_settings(self, repo: str, settings: Mapping[str, Any]) -> Dict[str, Any]:
        """Publishes a settings document as the next version of a repo or layer (admins only); the
        answer is the new view, with ``warnings`` for a document that is valid but probably a
        mistake. The server checks the document whole: a rejected one raises
        ``SettingsInvalidError``, whose ``problems`` lists every ``{field, message}``. Not retried:
        every publish is a new version."""
        if not isinstance(settings, Mapping):
            raise _invalid("settings: must be a mapping (a JSON object) of settings fields")
        reply = self._http.call("PUT", "/v1/repos/%s/settings" % _segment(repo), body=dict(settings))
        return _expect_shape(reply, "settings", _SETTINGS)

    def place_lock(
        self,
        target: str,
        reason: str,
        expires_in_s: Optional[int] = None,
        cancel_pending: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """Places a lock (admins only) on ``all``, ``repo:<owner/name or owner/*>`` or
        ``agent:<agent id or glob>``: until it is lifted (or ``expires_in_s`` passes) every
        evaluation of a matching task is a DENY with ``source: "lock"``, and none of its requests
        can be approved. ``cancel_pending=True`` also cancels their PENDING requests. Not retried:
        a second send would place a second lock."""
        body = _body(
            target=(target, "string"),
            reason=(reason, "string"),
            expires_in_s=(expires_in_s, "number"),
            cancel_pending=(cancel_pending, "boolean"),
        )
        if "target" not in body or "reason" not in body:
            raise _invalid("a lock needs a target and a reason")
        return _expect_shape(self._http.call("POST", "/v1/locks", body=body), "lock", _LOCK)

    def locks(self) -> List[Dict[str, Any]]:
        """The locks in force, oldest first."""
        page = _expect_shape(self._http.call("GET", "/v1/locks", idempotent=True), "locks", {"items": "array"})
        return [_expect_shape(item, "lock", _LOCK) for item in page["items"]]

    def lift_lock(self, lock_id: str, reason: Optional[str] = None) -> Dict[str, Any]:
        """Lifts a lock (admins only), with an optional note for the lock ledger; the tasks it
        stopped are judged as before. A lock not in force raises ``LockNotFoundError``."""
        body = _body(reason=(reason or None, "string"))
        return _expect_shape(self._http.call("DELETE", "/v1/locks/%s" % _segment(lock_id), body=body), "lock", _LOCK)

    def lock_events(self, after_seq: int = 0) -> List[Dict[str, Any]]:
        """The lock ledger, every page: each lock placed, lifted or expired, hash-chained like a
        task's ledger, so ``verify_chain(client.lock_events())`` checks it."""
        return self._ledger("/v1/locks/events", "lock events page", after_seq)

    def _ledger(self, path: str, what: str, after_seq: int) -> List[Dict[str, Any]]:
        """Every page of a hash-chained ledger after ``after_seq``, in sequence order."""
        items: List[Dict[str, Any]] = []
        after: Optional[int] = after_seq
        while after is not None:
            reply = self._http.call("GET", path, query={"after_seq": after, "limit": _LIST_LIMIT}, idempotent=True)
            page = _expect_shape(reply, what, {"items": "array"})
            items.extend(page["items"])
            following = page.get("next_after_seq")
            # A page that names no progress would loop forever; stop instead.
            after = following if isinstance(following, int) and following > after else None
        return items
