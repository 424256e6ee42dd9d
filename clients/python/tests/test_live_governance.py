"""Settings, locks, policies and the agent's follow-up calls against a running control plane
(``npm test`` starts one and sets GATES_TEST_URL).

Every test works under an owner of its own (``py<hex>/*``), so the settings, policies and locks it
publishes reach no other test's tasks.
"""

import contextlib
import io
import random
import re
import unittest
import uuid
from typing import Any, Dict

from tests.support import CLIENT, control_plane_url

from approval_gates import (
    CallNotFoundError,
    ForbiddenError,
    GatesClient,
    LockedError,
    LockNotFoundError,
    PolicyInvalidError,
    RequestAlreadyDecidedError,
    SettingsInvalidError,
    ValidationError,
    verify_chain,
)

PUSH = {"command": "git push --force origin main"}
LS = {"command": "ls -la"}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _clients():
    url = control_plane_url()
    return (
        GatesClient(url, token="local:admin:py-root"),
        GatesClient(url, token="local:human:py-alice"),
        GatesClient(url, token="local:agent:py-agent"),
    )


def _owner() -> str:
    """An owner no other test uses, so what a test publishes for ``<owner>/*`` is its own."""
    return "py" + uuid.uuid4().hex[:10]


def _unknown_ulid() -> str:
    """A well-formed ULID that names nothing."""
    return "01" + "".join(random.choice(_CROCKFORD) for _ in range(24))


def _task(agent: GatesClient, repo: str) -> str:
    task_id = "py-" + uuid.uuid4().hex[:12]
    agent.create_task(owner="py-alice", repo=repo, task_id=task_id)
    return task_id


def _verdict(evaluation: Dict[str, Any]) -> tuple:
    return evaluation["decision"], evaluation["source"]


class RepoSettings(unittest.TestCase):
    def test_an_admin_publishes_an_owner_layer_and_every_repo_of_the_owner_reads_it_back(self) -> None:
        admin, human, agent = _clients()
        owner = _owner()
        document = {"approvers": {"users": ["py-bob"]}, "owner_approves": True, "approvals_required": 1}

        published = admin.publish_settings(owner + "/*", document)
        layer = human.settings(owner + "/*")
        repo = agent.settings(owner.upper() + "/App.git")
        task = agent.task(_task(agent, owner + "/app"))

        self.assertEqual(
            (published["layer"], published["version"], published["published_by"]), (owner + "/*", 1, "py-root")
        )
        self.assertEqual(layer["settings"], published["settings"])
        self.assertEqual(published["settings"]["approvers"], {"users": ["py-bob"], "groups": []})
        # Repo ids are canonical, so any spelling of the repo finds the layer above it.
        self.assertEqual((repo["repo_id"], repo["layer"], repo["version"]), (owner + "/app", owner + "/*", 1))
        # The agent named only the owner; who else approves came from the settings.
        self.assertEqual(task["approvers"], ["py-alice", "py-bob"])
        self.assertEqual(task["settings"], {"layer": owner + "/*", "version": 1})

    def test_the_deployment_layer_is_read_through_its_own_path(self) -> None:
        _, human, _ = _clients()

        view = human.settings("*")

        self.assertEqual(view["repo_id"], "*")
        self.assertIn(view["layer"], ("*", "default"))

    def test_a_human_who_is_not_an_admin_and_an_agent_are_refused_and_nothing_is_published(self) -> None:
        admin, human, agent = _clients()
        layer = _owner() + "/*"
        admin.publish_settings(layer, {"owner_approves": True})

        with self.assertRaises(ForbiddenError) as as_human:
            human.publish_settings(layer, {"owner_approves": True, "allowed_owners": ["py-alice"]})
        with self.assertRaises(ForbiddenError) as as_agent:
            agent.publish_settings(layer, {"approvers": {"users": ["py-agent-friend"]}})

        self.assertEqual((as_human.exception.status, as_human.exception.code), (403, "FORBIDDEN"))
        self.assertEqual(as_agent.exception.code, "FORBIDDEN")
        self.assertIn("admins", as_human.exception.message)
        self.assertEqual(human.settings(layer)["version"], 1)

    def test_a_document_with_unknown_or_ill_typed_fields_lists_every_problem(self) -> None:
        admin, human, _ = _clients()
        repo = _owner() + "/app"

        with self.assertRaises(SettingsInvalidError) as rejected:
            admin.publish_settings(repo, {"approvers": {"users": ["py-bob", ""]}, "owner_approves": "yes", "colour": 1})

        self.assertEqual((rejected.exception.status, rejected.exception.code), (422, "SETTINGS_INVALID"))
        self.assertEqual(
            sorted({p["field"] for p in rejected.exception.problems}),
            ["approvers.users[1]", "colour", "owner_approves"],
        )
        self.assertTrue(all(p["message"] for p in rejected.exception.problems))
        self.assertEqual(human.settings(repo)["layer"], "default")

    def test_a_document_that_contradicts_itself_lists_the_field_to_fix(self) -> None:
        admin, _, _ = _clients()

        with self.assertRaises(SettingsInvalidError) as rejected:
            admin.publish_settings(_owner() + "/app", {"approval_timeout_s": {"default": 900, "max": 600}})

        self.assertEqual([p["field"] for p in rejected.exception.problems], ["approval_timeout_s.default"])


class Locks(unittest.TestCase):
    def test_a_lock_denies_the_next_evaluation_and_lifting_it_restores_the_previous_answers(self) -> None:
        admin, human, agent = _clients()
        owner = _owner()
        task_id = _task(agent, owner + "/app")
        before = [_verdict(agent.evaluate(task_id, "Bash", call)) for call in (LS, PUSH)]

        lock = admin.place_lock("repo:%s/*" % owner, "incident 42")
        locked = agent.evaluate(task_id, "Bash", LS)
        held = [item["lock_id"] for item in human.locks()]
        lifted = admin.lift_lock(lock["lock_id"], reason="resolved")
        after = [_verdict(agent.evaluate(task_id, "Bash", call)) for call in (LS, PUSH)]

        self.assertEqual(before, [("ALLOW", "default_allow"), ("REQUIRE_APPROVAL", "soft_rule")])
        self.assertEqual((lock["target"], lock["placed_by"]), ("repo:%s/*" % owner, "py-root"))
        self.assertEqual(_verdict(locked), ("DENY", "lock"))
        self.assertEqual(
            locked["reason"], "Stopped by lock %s on repo:%s/* by py-root: incident 42." % (lock["lock_id"], owner)
        )
        self.assertIn(lock["lock_id"], held)
        self.assertEqual(lifted["lock_id"], lock["lock_id"])
        self.assertNotIn(lock["lock_id"], [item["lock_id"] for item in human.locks()])
        self.assertEqual(after, before)

    def test_a_lock_stops_approvals_of_the_tasks_it_covers_and_nothing_else(self) -> None:
        admin, human, agent = _clients()
        locked_owner, free_owner = _owner(), _owner()
        locked_task, free_task = _task(agent, locked_owner + "/app"), _task(agent, free_owner + "/app")
        asked = agent.evaluate(locked_task, "Bash", PUSH)
        lock = admin.place_lock("repo:%s/app" % locked_owner, "freeze")
        try:
            with self.assertRaises(LockedError) as refused:
                human.approve(locked_task, asked["request_id"])
            free = agent.evaluate(free_task, "Bash", LS)
        finally:
            admin.lift_lock(lock["lock_id"])

        self.assertEqual((refused.exception.status, refused.exception.details.get("lock_id")), (409, lock["lock_id"]))
        self.assertEqual(_verdict(free), ("ALLOW", "default_allow"))
        self.assertEqual(human.approve(locked_task, asked["request_id"])["status"], "APPROVED")

    def test_the_lock_ledger_lists_the_placing_and_the_lifting_and_its_chain_verifies(self) -> None:
        admin, human, _ = _clients()
        lock = admin.place_lock("repo:%s/*" % _owner(), "incident 43", expires_in_s=3600)
        admin.lift_lock(lock["lock_id"], reason="resolved")

        events = human.lock_events()
        mine = [e for e in events if e["data"].get("lock_id") == lock["lock_id"]]

        self.assertEqual([e["type"] for e in mine], ["lock.placed", "lock.lifted"])
        self.assertEqual([e["actor"] for e in mine], [{"kind": "human", "id": "py-root"}] * 2)
        self.assertEqual((mine[0]["data"]["reason"], mine[1]["data"]["reason"]), ("incident 43", "resolved"))
        self.assertEqual(mine[1]["seq"], mine[0]["seq"] + 1)
        self.assertTrue(verify_chain(events).ok)
        self.assertEqual([e["seq"] for e in human.lock_events(after_seq=mine[0]["seq"])][:1], [mine[1]["seq"]])

    def test_lifting_a_lock_that_is_not_in_force_is_lock_not_found(self) -> None:
        admin, _, _ = _clients()
        lock = admin.place_lock("repo:%s/*" % _owner(), "brief")
        admin.lift_lock(lock["lock_id"])

        with self.assertRaises(LockNotFoundError) as unknown:
            admin.lift_lock(_unknown_ulid())
        with self.assertRaises(LockNotFoundError) as twice:
            admin.lift_lock(lock["lock_id"])
        with self.assertRaises(ValidationError) as malformed:
            admin.lift_lock("not-a-lock-id")

        self.assertEqual((unknown.exception.status, unknown.exception.code), (404, "LOCK_NOT_FOUND"))
        self.assertIn(lock["lock_id"], twice.exception.message)
        self.assertEqual(malformed.exception.details["fields"][0]["field"], "lock_id")

    def test_only_admins_place_or_lift_locks_and_agents_cannot_read_them(self) -> None:
        admin, human, agent = _clients()
        lock = admin.place_lock("repo:%s/*" % _owner(), "held for this test")
        try:
            for caller in (human, agent):
                with self.assertRaises(ForbiddenError):
                    caller.place_lock("all", "let me through")
                with self.assertRaises(ForbiddenError):
                    caller.lift_lock(lock["lock_id"])
            with self.assertRaises(ForbiddenError):
                agent.locks()
            with self.assertRaises(ForbiddenError):
                agent.lock_events()
            still_held = [item["lock_id"] for item in human.locks()]
        finally:
            admin.lift_lock(lock["lock_id"])

        self.assertIn(lock["lock_id"], still_held)


class PoliciesAndTheAgentsFollowUps(unittest.TestCase):
    def test_an_admin_publishes_a_hard_rule_for_an_owner_and_its_tasks_are_judged_by_it(self) -> None:
        admin, human, agent = _clients()
        owner = _owner()
        text = (
            '@rule_id("no_cowsay")\n@tier("hard")\n'
            'forbid (principal, action, resource) when { context has command && context.command like "*cowsay*" };\n'
        )

        published = admin.publish_policies(owner + "/*", text)
        task_id = _task(agent, owner + "/app")
        judged = agent.evaluate(task_id, "Bash", {"command": "cowsay moo"})

        self.assertEqual(published["version"], 1)
        self.assertEqual((judged["decision"], judged["rule_ids"]), ("DENY", ["no_cowsay"]))
        self.assertEqual(agent.dry_run(owner + "/other", "Bash", {"command": "cowsay"})["decision"], "DENY")
        with self.assertRaises(ForbiddenError):
            human.publish_policies(owner + "/*", "")

    def test_rejected_policy_text_carries_its_diagnostics(self) -> None:
        admin, _, _ = _clients()

        with self.assertRaises(PolicyInvalidError) as rejected:
            admin.publish_policies(_owner() + "/app", "forbid (")

        self.assertEqual(rejected.exception.status, 422)
        self.assertIn("unexpected end of input", rejected.exception.diagnostics[0]["message"])

    def test_an_agent_withdraws_its_request_and_no_one_can_approve_it_after(self) -> None:
        _, human, agent = _clients()
        task_id = _task(agent, "acme/app")
        asked = agent.evaluate(task_id, "Bash", PUSH)

        withdrawn = agent.withdraw(task_id, asked["request_id"], reason="found another way")
        with self.assertRaises(RequestAlreadyDecidedError) as late:
            human.approve(task_id, asked["request_id"])

        self.assertEqual(withdrawn["status"], "CANCELLED")
        self.assertEqual(late.exception.details, {"status": "CANCELLED"})

    def test_an_agent_reports_what_became_of_an_allowed_call_once(self) -> None:
        _, human, agent = _clients()
        task_id = _task(agent, "acme/app")
        allowed = agent.evaluate(task_id, "Bash", LS, track_outcome=True)

        reported = agent.report_outcome(task_id, "executed", 42, event_seq=allowed["event_seq"], result_sha256="a" * 64)
        with self.assertRaises(CallNotFoundError):
            agent.report_outcome(task_id, "executed", 42, event_seq=allowed["event_seq"])
        verified = human.verify_ledger(task_id)

        self.assertEqual((reported["event_seq"], reported["outcome"]), (allowed["event_seq"] + 1, "executed"))
        self.assertEqual(verified.events[-1]["type"], "tool_call.outcome")
        self.assertTrue(verified.check.ok)
        self.assertEqual(verified.head["last_event_seq"], reported["event_seq"])

    def test_a_wrong_slack_link_code_is_refused_and_unlinking_nothing_is_no_error(self) -> None:
        _, human, _ = _clients()

        with self.assertRaises(ValidationError) as refused:
            human.link_slack("ZZZZ-ZZZZ")

        self.assertEqual(refused.exception.details["fields"][0]["field"], "code")
        self.assertEqual(human.unlink_slack(), {"unlinked": 0})


class ReadmeExample(unittest.TestCase):
    def test_the_governance_example_runs_as_written(self) -> None:
        readme = (CLIENT / "README.md").read_text(encoding="utf-8")
        example = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "place_lock" in block)
        # Only the address and the owner change, so the example's settings and lock stay its own.
        owner = _owner()
        code = example.replace("http://127.0.0.1:3000", control_plane_url()).replace("acme", owner)
        scope: Dict[str, Any] = {}

        with contextlib.redirect_stdout(io.StringIO()) as printed:
            exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the README's own example

        self.assertEqual((scope["view"]["layer"], scope["view"]["version"]), (owner + "/*", 1))
        self.assertIn("approval_timeout_s.default", printed.getvalue())
        self.assertNotIn(scope["lock"]["lock_id"], [item["lock_id"] for item in scope["admin"].locks()])


if __name__ == "__main__":
    unittest.main()
