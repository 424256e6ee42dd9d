"""Each call's request, retries and answer checks, against a scripted transport (no server)."""

import json
import unittest
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from tests.support import REPO

from approval_gates import (
    CallNotFoundError,
    GatesApiError,
    GatesClient,
    InvalidRequestError,
    LockNotFoundError,
    PolicyInvalidError,
    RetryOptions,
    SettingsInvalidError,
    UnexpectedResponseError,
)
from approval_gates.transport import HttpRequest, HttpResponse

# The cases are about what is retried, not how long it waits.
FAST_RETRY = RetryOptions(attempts=3, base_delay_ms=1, max_delay_ms=2)
ULID = "01J0000000000000000000000A"

SETTINGS_VIEW = {"repo_id": "acme/app", "layer": "acme/*", "version": 2, "settings": {"owner_approves": False}}
LOCK = {"lock_id": ULID, "target": "repo:acme/*", "reason": "incident 42", "placed_by": "root", "cancel_pending": False}
POLICIES = {"repo_id": "acme/app", "version": 3, "hard": [], "soft": [], "warnings": []}
APPROVAL = {"task_id": "t1", "request_id": ULID, "status": "CANCELLED", "tool_name": "Bash"}
OUTCOME = {"task_id": "t1", "event_seq": 4, "tool_name": "Bash", "input_sha256": "a" * 64, "outcome": "executed"}


class Reply:
    """One scripted answer: a status and a JSON body (or raw bytes)."""

    def __init__(self, status: int, body: Any = None, raw: Optional[bytes] = None) -> None:
        self.status = status
        self.data = raw if raw is not None else json.dumps(body).encode("utf-8")


def error_reply(status: int, code: str, details: Optional[Dict[str, Any]] = None) -> Reply:
    error: Dict[str, Any] = {"code": code, "message": "refused", "request_id": "r-1"}
    if details is not None:
        error["details"] = details
    return Reply(status, {"error": error})


GATEWAY_TIMEOUT = Reply(504, raw=b'{"message": "Endpoint request timed out"}')


class Sent:
    """A request as the scripted transport saw it."""

    def __init__(self, request: HttpRequest) -> None:
        parts = urlsplit(request.url)
        self.method = request.method
        # The path as sent, still percent-encoded: what a proxy and API Gateway route on.
        self.path = parts.path
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.body = None if request.body is None else json.loads(request.body)
        self.authorization = request.headers.get("authorization")


def scripted(*replies: Reply, token: str = "local:admin:root") -> Tuple[GatesClient, List[Sent]]:
    """A client whose transport answers from the script, one reply per request (the last repeats)."""
    sent: List[Sent] = []

    def send(request: HttpRequest) -> HttpResponse:
        sent.append(Sent(request))
        reply = replies[min(len(sent) - 1, len(replies) - 1)]
        return HttpResponse(reply.status, {"content-type": "application/json"}, reply.data)

    return GatesClient("http://gates.test", token=token, retry=FAST_RETRY, send=send), sent


def summary(sent: List[Sent]) -> List[Tuple[str, str, Any]]:
    return [(s.method, s.path, s.body) for s in sent]


class RequestsAsTheApiDefinesThem(unittest.TestCase):
    """Method, encoded path and body of every call, as the route manifest and the TS SDK have them."""

    def test_settings_of_a_repo_an_owner_layer_and_the_deployment_keep_one_path_segment(self) -> None:
        client, sent = scripted(Reply(200, SETTINGS_VIEW))

        for repo in ("acme/app", "acme/*", "*", "Acme/App.git"):
            client.settings(repo)

        self.assertEqual(
            [s.path for s in sent],
            [
                "/v1/repos/acme%2Fapp/settings",
                "/v1/repos/acme%2F*/settings",
                "/v1/repos/*/settings",
                "/v1/repos/Acme%2FApp.git/settings",
            ],
        )
        self.assertEqual({s.method for s in sent}, {"GET"})
        self.assertEqual(sent[0].authorization, "Bearer local:admin:root")

    def test_publish_settings_puts_the_document_as_given(self) -> None:
        client, sent = scripted(Reply(200, SETTINGS_VIEW))
        document = {"approvers": {"users": ["bob"], "groups": ["release-managers"]}, "approvals_required": 2}

        view = client.publish_settings("acme/*", document)

        self.assertEqual(summary(sent), [("PUT", "/v1/repos/acme%2F*/settings", document)])
        self.assertEqual(view, SETTINGS_VIEW)

    def test_locks_are_placed_listed_lifted_and_their_ledger_read(self) -> None:
        client, sent = scripted(
            Reply(201, LOCK), Reply(200, {"items": [LOCK]}), Reply(200, LOCK), Reply(200, {"items": []})
        )

        placed = client.place_lock("repo:acme/*", "incident 42", expires_in_s=3600, cancel_pending=True)
        held = client.locks()
        lifted = client.lift_lock(ULID, reason="resolved")
        client.lock_events()

        self.assertEqual(
            summary(sent),
            [
                (
                    "POST",
                    "/v1/locks",
                    {"target": "repo:acme/*", "reason": "incident 42", "expires_in_s": 3600, "cancel_pending": True},
                ),
                ("GET", "/v1/locks", None),
                ("DELETE", "/v1/locks/%s" % ULID, {"reason": "resolved"}),
                ("GET", "/v1/locks/events", None),
            ],
        )
        self.assertEqual(sent[3].query, {"after_seq": "0", "limit": "100"})
        self.assertEqual((placed, held, lifted), (LOCK, [LOCK], LOCK))

    def test_a_lock_lifted_without_a_note_sends_an_empty_body(self) -> None:
        client, sent = scripted(Reply(200, LOCK))

        client.lift_lock(ULID)

        self.assertEqual(summary(sent), [("DELETE", "/v1/locks/%s" % ULID, {})])

    def test_withdraw_outcome_policies_and_slack_calls(self) -> None:
        client, sent = scripted(
            Reply(200, APPROVAL),
            Reply(200, OUTCOME),
            Reply(200, POLICIES),
            Reply(200, {"linked": True, "slack_team_id": "T1", "slack_user_id": "U1"}),
            Reply(200, {"unlinked": 1}),
        )

        client.withdraw("t 1", ULID, reason="not needed")
        client.report_outcome("t1", "upstream_error", 7, request_id=ULID, error="connection reset")
        client.publish_policies("*", "// no rules", disable=("force_push",))
        client.link_slack("abcd-efgh")
        client.unlink_slack()

        self.assertEqual(
            summary(sent),
            [
                ("POST", "/v1/tasks/t%%201/approvals/%s/withdraw" % ULID, {"reason": "not needed"}),
                (
                    "POST",
                    "/v1/tasks/t1/outcomes",
                    {"request_id": ULID, "outcome": "upstream_error", "duration_ms": 7, "error": "connection reset"},
                ),
                ("PUT", "/v1/repos/*/policies", {"policies": "// no rules", "disable": ["force_push"]}),
                ("POST", "/v1/slack/link", {"code": "abcd-efgh"}),
                ("DELETE", "/v1/slack/link", None),
            ],
        )

    def test_evaluate_asks_to_track_the_outcome_only_when_told(self) -> None:
        allow = Reply(200, {"decision": "ALLOW", "reason": "ok", "rule_ids": [], "event_seq": 4})
        client, sent = scripted(allow)

        client.evaluate("t1", "Bash", {"command": "ls"}, track_outcome=True)
        client.evaluate("t1", "Bash", {"command": "ls"})

        self.assertEqual(sent[0].body, {"tool_name": "Bash", "tool_input": {"command": "ls"}, "track_outcome": True})
        self.assertEqual(sent[1].body, {"tool_name": "Bash", "tool_input": {"command": "ls"}})


class EveryRouteHasACall(unittest.TestCase):
    """Parity with the API: each route of the OpenAPI document (derived from the route manifest)
    that a client calls has a method here, and that method sends the route's method and path."""

    # Slack calls its own routes, signed; the document describes the API rather than being a call of it.
    NOT_CLIENT_CALLS = {"getOpenApi", "slackInteractions", "slackCommands"}
    PARAMETERS = {"task_id": "t1", "request_id": ULID, "repo_id": "acme%2Fapp", "lock_id": ULID}
    CALLS: Dict[str, Callable[[GatesClient], Any]] = {
        "health": lambda c: c.health(),
        "whoami": lambda c: c.whoami(),
        "createTask": lambda c: c.create_task(owner="alice", repo="acme/app"),
        "evaluateToolCall": lambda c: c.evaluate("t1", "Bash", {"command": "ls"}),
        "finishTask": lambda c: c.finish("t1", "COMPLETED"),
        "reportOutcome": lambda c: c.report_outcome("t1", "executed", 1, event_seq=2),
        "withdrawApproval": lambda c: c.withdraw("t1", ULID),
        "getApproval": lambda c: c.get_approval("t1", ULID),
        "getTask": lambda c: c.task("t1"),
        "listEvents": lambda c: c.events("t1"),
        "listPending": lambda c: c.pending(),
        "approve": lambda c: c.approve("t1", ULID),
        "deny": lambda c: c.deny("t1", ULID),
        "cancelTask": lambda c: c.cancel("t1"),
        "revokeGrant": lambda c: c.revoke_grant("t1", "tool:Bash"),
        "getPolicies": lambda c: c.policies("acme/app"),
        "publishPolicies": lambda c: c.publish_policies("acme/app", ""),
        "dryRunPolicies": lambda c: c.dry_run("acme/app", "Bash", {}),
        "getSettings": lambda c: c.settings("acme/app"),
        "publishSettings": lambda c: c.publish_settings("acme/app", {}),
        "placeLock": lambda c: c.place_lock("all", "incident"),
        "listLocks": lambda c: c.locks(),
        "listLockEvents": lambda c: c.lock_events(),
        "liftLock": lambda c: c.lift_lock(ULID),
        "linkSlack": lambda c: c.link_slack("ABCD-EFGH"),
        "unlinkSlack": lambda c: c.unlink_slack(),
    }

    def test_each_route_a_client_calls_has_a_method_that_sends_its_method_and_path(self) -> None:
        document = json.loads((REPO / "contracts" / "openapi.json").read_text(encoding="utf-8"))
        routes = {
            operation["operationId"]: (method.upper(), path)
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
        }

        self.assertEqual(set(self.CALLS), set(routes) - self.NOT_CLIENT_CALLS)
        for operation, call in self.CALLS.items():
            with self.subTest(operation=operation):
                client, sent = scripted(Reply(500, raw=b""))
                with self.assertRaises(GatesApiError):
                    call(client)
                method, template = routes[operation]
                self.assertEqual((sent[0].method, sent[0].path), (method, template.format(**self.PARAMETERS)))


class RetriedOnlyWhenSendingTwiceIsHarmless(unittest.TestCase):
    """Reads are asked again after a 504; a call that changes something never is, since the first
    may have done it (a second lock, a second version)."""

    def test_reads_are_retried_after_a_gateway_timeout(self) -> None:
        reads: List[Tuple[str, Callable[[GatesClient], Any], Reply]] = [
            ("settings", lambda c: c.settings("acme/app"), Reply(200, SETTINGS_VIEW)),
            ("locks", lambda c: c.locks(), Reply(200, {"items": []})),
            ("lock_events", lambda c: c.lock_events(), Reply(200, {"items": []})),
        ]
        for name, call, answer in reads:
            with self.subTest(call=name):
                client, sent = scripted(GATEWAY_TIMEOUT, answer)
                call(client)
                self.assertEqual(len(sent), 2)

    def test_changes_are_sent_once_and_the_timeout_is_raised(self) -> None:
        changes: List[Tuple[str, Callable[[GatesClient], Any]]] = [
            ("publish_settings", lambda c: c.publish_settings("acme/app", {})),
            ("place_lock", lambda c: c.place_lock("all", "incident")),
            ("lift_lock", lambda c: c.lift_lock(ULID)),
            ("publish_policies", lambda c: c.publish_policies("acme/app", "")),
            ("withdraw", lambda c: c.withdraw("t1", ULID)),
            ("report_outcome", lambda c: c.report_outcome("t1", "executed", 1, event_seq=2)),
            ("link_slack", lambda c: c.link_slack("ABCD-EFGH")),
            ("unlink_slack", lambda c: c.unlink_slack()),
        ]
        for name, call in changes:
            with self.subTest(call=name):
                client, sent = scripted(GATEWAY_TIMEOUT, Reply(200, LOCK))
                with self.assertRaises(GatesApiError) as raised:
                    call(client)
                self.assertEqual((len(sent), raised.exception.status), (1, 504))


class LockLedgerPages(unittest.TestCase):
    def test_every_page_is_read_in_order(self) -> None:
        client, sent = scripted(
            Reply(200, {"items": [{"seq": 1}, {"seq": 2}], "next_after_seq": 2}),
            Reply(200, {"items": [{"seq": 3}]}),
        )

        events = client.lock_events()

        self.assertEqual([e["seq"] for e in events], [1, 2, 3])
        self.assertEqual([s.query["after_seq"] for s in sent], ["0", "2"])

    def test_a_page_that_names_no_progress_ends_the_read_instead_of_looping(self) -> None:
        client, sent = scripted(Reply(200, {"items": [{"seq": 3}], "next_after_seq": 2}))

        events = client.lock_events(after_seq=2)

        self.assertEqual((events, len(sent)), ([{"seq": 3}], 1))


class AnswersOfTheWrongShapeAreErrors(unittest.TestCase):
    """An answer that is not what the route returns is never handed out as if it were."""

    def test_each_call_refuses_an_answer_missing_what_it_promises(self) -> None:
        cases: List[Tuple[str, Callable[[GatesClient], Any], Any]] = [
            ("settings", lambda c: c.settings("acme/app"), {"layer": "acme/*", "version": 1}),
            ("publish_settings", lambda c: c.publish_settings("acme/app", {}), {"layer": "x", "version": "2"}),
            ("place_lock", lambda c: c.place_lock("all", "x"), {"target": "all"}),
            ("lift_lock", lambda c: c.lift_lock(ULID), [LOCK]),
            ("locks", lambda c: c.locks(), {"items": [LOCK, {"lock_id": ULID}]}),
            ("locks page", lambda c: c.locks(), {"locks": [LOCK]}),
            ("lock_events", lambda c: c.lock_events(), {"items": None}),
            ("publish_policies", lambda c: c.publish_policies("acme/app", ""), {"version": 1, "hard": []}),
            ("withdraw", lambda c: c.withdraw("t1", ULID), dict(APPROVAL, status="GONE")),
            ("report_outcome", lambda c: c.report_outcome("t1", "executed", 1, event_seq=2), {"outcome": "executed"}),
            ("link_slack", lambda c: c.link_slack("ABCD-EFGH"), {"linked": True}),
            ("unlink_slack", lambda c: c.unlink_slack(), {"unlinked": "1"}),
        ]
        for name, call, answer in cases:
            with self.subTest(call=name):
                client, _ = scripted(Reply(200, answer))
                with self.assertRaises(UnexpectedResponseError):
                    call(client)


class RefusedBeforeSending(unittest.TestCase):
    def test_ids_that_would_not_stay_one_path_segment_are_refused(self) -> None:
        client, sent = scripted(Reply(200, LOCK))
        for bad in ("", ".", ".."):
            with self.subTest(lock_id=bad):
                with self.assertRaises(InvalidRequestError):
                    client.lift_lock(bad)
            with self.subTest(repo=bad):
                with self.assertRaises(InvalidRequestError):
                    client.settings(bad)
        with self.assertRaises(InvalidRequestError):
            client.lift_lock(None)  # type: ignore[arg-type]
        self.assertEqual(sent, [])

    def test_fields_of_the_wrong_kind_are_refused_without_repeating_their_value(self) -> None:
        secret = "ghp_" + "a" * 36
        client, sent = scripted(Reply(201, LOCK))
        cases: List[Tuple[str, Callable[[], Any]]] = [
            ("reason", lambda: client.place_lock("all", {"token": secret})),  # type: ignore[arg-type]
            ("expires_in_s", lambda: client.place_lock("all", "x", expires_in_s=True)),
            ("expires_in_s", lambda: client.place_lock("all", "x", expires_in_s=60.5)),  # type: ignore[arg-type]
            ("cancel_pending", lambda: client.place_lock("all", "x", cancel_pending="yes")),  # type: ignore[arg-type]
            ("code", lambda: client.link_slack(secret.encode())),  # type: ignore[arg-type]
            ("settings", lambda: client.publish_settings("x", [("approvers", secret)])),  # type: ignore[arg-type]
            ("disable", lambda: client.publish_policies("x", "", disable="force_push")),
        ]
        for field, call in cases:
            with self.subTest(field=field):
                with self.assertRaises(InvalidRequestError) as raised:
                    call()
                self.assertIn(field, raised.exception.message)
                self.assertNotIn("ghp_", repr(raised.exception) + str(raised.exception))
        self.assertEqual(sent, [])

    def test_an_outcome_names_exactly_one_call(self) -> None:
        client, sent = scripted(Reply(200, OUTCOME))

        with self.assertRaises(InvalidRequestError) as neither:
            client.report_outcome("t1", "executed", 5)
        with self.assertRaises(InvalidRequestError):
            client.report_outcome("t1", "executed", 5, event_seq=3, request_id=ULID)

        self.assertIn("exactly one of event_seq", neither.exception.message)
        self.assertEqual(sent, [])

    def test_a_body_json_cannot_hold_is_refused_rather_than_sent_as_invalid_json(self) -> None:
        client, sent = scripted(Reply(200, SETTINGS_VIEW))

        with self.assertRaises(InvalidRequestError):
            client.publish_settings("acme/app", {"approvals_required": float("nan")})
        with self.assertRaises(InvalidRequestError):
            client.publish_settings("acme/app", {"approvers": {"users": {"bob"}}})

        self.assertEqual(sent, [])


class TypedErrorsCarryTheirDetails(unittest.TestCase):
    def test_rejected_settings_list_every_problem(self) -> None:
        problems = [
            {"field": "approval_timeout_s.default", "message": "must not exceed approval_timeout_s.max"},
            {"field": "colour", "message": "unknown field; remove it (check its spelling)"},
        ]
        client, _ = scripted(error_reply(422, "SETTINGS_INVALID", {"problems": problems + [{"field": 3}, "x"]}))

        with self.assertRaises(SettingsInvalidError) as rejected:
            client.publish_settings("acme/app", {"colour": "blue"})

        self.assertEqual((rejected.exception.status, rejected.exception.request_id), (422, "r-1"))
        # Entries of another shape are left out rather than handed on half-formed.
        self.assertEqual(rejected.exception.problems, problems)

    def test_rejected_policies_carry_their_diagnostics(self) -> None:
        diagnostics = [{"rule_id": "no_cowsay", "message": "needs @tier"}, {"message": "line 1: unexpected end"}]
        client, _ = scripted(error_reply(422, "POLICY_INVALID", {"diagnostics": diagnostics}))

        with self.assertRaises(PolicyInvalidError) as rejected:
            client.publish_policies("acme/app", "forbid (")

        self.assertEqual(rejected.exception.diagnostics, diagnostics)

    def test_a_rejection_without_details_has_empty_lists(self) -> None:
        client, _ = scripted(error_reply(422, "SETTINGS_INVALID"))

        with self.assertRaises(SettingsInvalidError) as rejected:
            client.publish_settings("acme/app", {})

        self.assertEqual(rejected.exception.problems, [])

    def test_codes_of_the_new_calls_map_to_their_classes(self) -> None:
        client, _ = scripted(error_reply(404, "LOCK_NOT_FOUND"), error_reply(404, "CALL_NOT_FOUND"))

        with self.assertRaises(LockNotFoundError):
            client.lift_lock(ULID)
        with self.assertRaises(CallNotFoundError):
            client.report_outcome("t1", "executed", 1, event_seq=9)


if __name__ == "__main__":
    unittest.main()
