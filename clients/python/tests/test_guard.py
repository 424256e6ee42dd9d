"""guard fails closed exactly as the TypeScript SDK's does: the same golden cases, replayed."""

import json
import unittest
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit

from tests.support import fixtures

from approval_gates import GatesClient, GuardResult, RetryOptions
from approval_gates.transport import HttpRequest, HttpResponse, TransportFailure

# The cases are about what is retried, not how long it waits.
FAST_RETRY = RetryOptions(attempts=3, base_delay_ms=1, max_delay_ms=2)


def run_case(case: Dict[str, Any]) -> Tuple[GuardResult, List[str]]:
    given = case["input"]
    calls: List[str] = []

    def send(request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        calls.append("%s %s%s" % (request.method, parts.path, "?" + parts.query if parts.query else ""))
        reply = given["replies"][min(len(calls) - 1, len(given["replies"]) - 1)]
        if reply.get("network_error"):
            raise TransportFailure("connect ECONNREFUSED")
        if "text" in reply:
            return HttpResponse(reply["status"], {}, reply["text"].encode("utf-8"))
        headers = {"content-type": "application/json"}
        headers.update({k.lower(): v for k, v in reply.get("headers", {}).items()})
        return HttpResponse(reply["status"], headers, json.dumps(reply["body"]).encode("utf-8"))

    client = GatesClient("http://gates.test", token="local:agent:guard", retry=FAST_RETRY, send=send)
    result = client.guard(given["task_id"], given["tool_name"], given["tool_input"], max_wait_ms=given.get("max_wait_ms"))
    return result, calls


class GuardGoldenCases(unittest.TestCase):
    def test_there_are_golden_cases(self) -> None:
        self.assertGreaterEqual(len(list(fixtures("guard"))), 20)

    def test_each_case_ends_as_in_the_typescript_sdk_after_the_same_requests(self) -> None:
        for name, case in fixtures("guard"):
            with self.subTest(case=case["name"], file=name):
                result, calls = run_case(case)
                expected = case["expected"]
                got: Dict[str, Any] = {"allowed": result.allowed, "decision": result.decision}
                if result.request_id is not None:
                    got["request_id"] = result.request_id
                if "reason_starts_with" in expected:
                    self.assertTrue(
                        result.reason.startswith(expected["reason_starts_with"]),
                        "%r does not start with %r" % (result.reason, expected["reason_starts_with"]),
                    )
                else:
                    got["reason"] = result.reason
                self.assertEqual(got, expected["result"])
                self.assertEqual(calls, expected["calls"])

    def test_an_exception_inside_the_transport_blocks_the_call(self) -> None:
        def send(request: HttpRequest) -> HttpResponse:
            raise RuntimeError("a bug in a proxy")

        client = GatesClient("http://gates.test", token="t", send=send)
        result = client.guard("t1", "Bash", {"command": "ls"})
        self.assertEqual((result.allowed, result.decision), (False, "DENY"))
        self.assertIn("a bug in a proxy", result.reason)

    def test_sigv4_without_credentials_blocks_the_call_before_sending(self) -> None:
        sent: List[HttpRequest] = []

        def send(request: HttpRequest) -> HttpResponse:
            sent.append(request)
            return HttpResponse(200, {}, b"{}")

        from approval_gates import SigV4

        client = GatesClient("http://127.0.0.1:9", sigv4=SigV4(region="eu-west-1", credentials=lambda: None), send=send)
        import os

        saved = {k: os.environ.pop(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if k in os.environ}
        saved_file = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
        try:
            result = client.guard("t1", "Bash", {"command": "ls"})
        finally:
            os.environ.update(saved)
            if saved_file is None:
                os.environ.pop("AWS_SHARED_CREDENTIALS_FILE", None)
            else:
                os.environ["AWS_SHARED_CREDENTIALS_FILE"] = saved_file
        self.assertEqual((result.allowed, sent), (False, []))
        self.assertIn("INVALID_REQUEST", result.reason)


if __name__ == "__main__":
    unittest.main()
