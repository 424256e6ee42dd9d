"""The client against a running control plane (``npm test`` starts one and sets GATES_TEST_URL)."""

import threading
import time
import unittest
import uuid
from typing import Any, Dict, List

from tests.support import control_plane_url

from approval_gates import (
    ForbiddenBySettingsError,
    ForbiddenError,
    GatesClient,
    GuardResult,
    RequestAlreadyDecidedError,
    TaskNotFoundError,
    UnauthenticatedError,
    ValidationError,
    verify_chain,
    verify_ledger,
)

PUSH = {"command": "git push --force origin main"}


def _clients():
    url = control_plane_url()
    return GatesClient(url, token="local:agent:py-agent"), GatesClient(url, token="local:human:py-alice")


def _new_task(agent: GatesClient) -> str:
    task_id = "py-" + uuid.uuid4().hex[:12]
    agent.create_task(owner="py-alice", repo="acme/app", task_id=task_id)
    return task_id


def _wait_for_pending(human: GatesClient, task_id: str, deadline_s: float = 10) -> Dict[str, Any]:
    """Polls the human's pending list until the task's request shows, with a deadline."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        mine = [item for item in human.pending() if item["task_id"] == task_id]
        if mine:
            return mine[0]
        time.sleep(0.05)
    raise AssertionError("no pending request for %s within %s s" % (task_id, deadline_s))


class Background:
    """Runs ``guard`` in a thread, as an agent blocked on a human; ``result()`` waits for it."""

    def __init__(self, agent: GatesClient, task_id: str, tool_input: Dict[str, Any]) -> None:
        self._results: List[GuardResult] = []
        self._thread = threading.Thread(
            target=lambda: self._results.append(agent.guard(task_id, "Bash", tool_input)), daemon=True
        )
        self._thread.start()

    def result(self) -> GuardResult:
        self._thread.join(timeout=30)
        if not self._results:
            raise AssertionError("guard did not return within 30 s")
        return self._results[0]


class GuardEndToEnd(unittest.TestCase):
    def test_a_tool_call_waits_for_a_human_and_runs_once_approved(self) -> None:
        agent, human = _clients()
        task_id = _new_task(agent)

        waiting = Background(agent, task_id, PUSH)
        request = _wait_for_pending(human, task_id)
        approved = human.approve(task_id, request["request_id"], scope="tool:Bash")
        verdict = waiting.result()

        self.assertEqual(approved["status"], "APPROVED")
        self.assertEqual(
            verdict, GuardResult(True, "ALLOW", "approved by py-alice (scope tool:Bash)", request["request_id"])
        )
        # The grant covers the next push without asking, and is credited to the human who gave it.
        self.assertTrue(agent.guard(task_id, "Bash", PUSH).allowed)
        grant = human.task(task_id)["grants"][0]
        self.assertEqual((grant["scope"], grant["granted_by"]), ("tool:Bash", {"kind": "human", "id": "py-alice"}))

    def test_a_denial_reaches_the_agent_with_its_reason(self) -> None:
        agent, human = _clients()
        task_id = _new_task(agent)

        waiting = Background(agent, task_id, PUSH)
        request = _wait_for_pending(human, task_id)
        human.deny(task_id, request["request_id"], reason="open a pull request")
        verdict = waiting.result()

        self.assertEqual((verdict.allowed, verdict.decision), (False, "DENY"))
        self.assertEqual(verdict.reason, "denied by py-alice: open a pull request")

    def test_a_hard_rule_denies_without_asking(self) -> None:
        agent, _ = _clients()
        task_id = _new_task(agent)

        verdict = agent.guard(task_id, "Bash", {"command": "rm -rf /"})

        self.assertEqual((verdict.allowed, verdict.decision, verdict.request_id), (False, "DENY", None))

    def test_an_unreachable_control_plane_blocks_the_call(self) -> None:
        dead = GatesClient("http://127.0.0.1:9", token="local:agent:py-agent", timeout_s=2)

        verdict = dead.guard("any-task", "Bash", {"command": "ls"})

        self.assertFalse(verdict.allowed)
        self.assertIn("NETWORK_ERROR", verdict.reason)


class LedgerVerification(unittest.TestCase):
    def test_the_served_ledger_verifies_and_a_changed_event_does_not(self) -> None:
        agent, human = _clients()
        task_id = _new_task(agent)
        agent.evaluate(task_id, "Bash", {"command": "ls -la", "note": "café 😀", "n": 1.5})
        request = agent.evaluate(task_id, "Bash", PUSH)
        human.approve(task_id, request["request_id"])
        human.cancel(task_id, reason="done")

        events = human.events(task_id)
        tampered = [dict(e) for e in events]
        tampered[1] = dict(tampered[1], data=dict(tampered[1]["data"], decision="ALLOW", source="forged"))

        self.assertGreaterEqual(len(events), 5)
        self.assertTrue(verify_chain(events).ok)
        broken = verify_chain(tampered)
        self.assertEqual((broken.ok, broken.seq), (False, 2))
        self.assertEqual(broken.problem, "hash does not match the content")
        self.assertEqual([e["seq"] for e in human.events(task_id, after_seq=3)], list(range(4, len(events) + 1)))

    def test_a_ledger_missing_its_last_events_fails_against_the_task_head(self) -> None:
        agent, human = _clients()
        task_id = _new_task(agent)
        agent.evaluate(task_id, "Bash", {"command": "ls"})
        human.cancel(task_id, reason="done")
        events, head = human.events(task_id), human.task(task_id)

        self.assertTrue(verify_ledger(events, head).ok)
        cut = verify_ledger(events[:-2], head)
        self.assertEqual((cut.ok, cut.seq), (False, len(events) - 1))
        self.assertIn("events are missing from the end", cut.problem or "")
        forged_head = dict(head, last_event_hash="0" * 64)
        self.assertEqual(verify_ledger(events, forged_head).problem, "hash does not match the task's last event hash")


class TypedErrors(unittest.TestCase):
    def test_api_codes_become_their_own_exceptions(self) -> None:
        agent, human = _clients()
        task_id = _new_task(agent)
        request = agent.evaluate(task_id, "Bash", PUSH)
        human.approve(task_id, request["request_id"])

        with self.assertRaises(TaskNotFoundError) as missing:
            human.task("no-such-task-" + uuid.uuid4().hex)
        with self.assertRaises(RequestAlreadyDecidedError) as decided:
            human.approve(task_id, request["request_id"])
        with self.assertRaises(ForbiddenError):
            agent.pending()
        with self.assertRaises(ValidationError) as invalid:
            agent.create_task(owner="py-alice", repo="not a repo!")
        with self.assertRaises(UnauthenticatedError):
            GatesClient(control_plane_url()).pending()

        self.assertEqual((missing.exception.status, missing.exception.code), (404, "TASK_NOT_FOUND"))
        self.assertEqual(decided.exception.details, {"status": "APPROVED"})
        self.assertTrue(missing.exception.request_id)
        self.assertEqual(invalid.exception.details["fields"][0]["field"], "repo")

    def test_an_agent_naming_its_own_approver_is_refused_by_the_settings(self) -> None:
        agent, _ = _clients()

        with self.assertRaises(ForbiddenBySettingsError) as refused:
            agent.create_task(owner="py-alice", repo="acme/app", approvers=["py-mallory"])

        self.assertEqual(refused.exception.status, 403)
        self.assertEqual(
            [(r["field"], r["setting"]) for r in refused.exception.details["refusals"]], [("approvers[0]", "approvers")]
        )

    def test_whoami_names_the_caller_the_server_sees(self) -> None:
        agent, human = _clients()

        self.assertEqual(agent.whoami(), {"kind": "agent", "id": "py-agent", "admin": False})
        self.assertEqual(human.whoami(), {"kind": "human", "id": "py-alice", "admin": False})


if __name__ == "__main__":
    unittest.main()
