import {
  approvedBy,
  narrowestScope,
  type QuorumFacts,
  type QuorumRule,
  quorumFor,
  quorumProgress,
} from "../../lambdas/core/governance/quorum";

const facts = (overrides: Partial<QuorumFacts> = {}): QuorumFacts => ({
  owner: "alice",
  approvers: ["alice", "bob", "carol"],
  approverGroups: [],
  defaultRequired: 1,
  ...overrides,
});
const rule = (overrides: Partial<QuorumRule> = {}): QuorumRule => ({ rule_id: "r", ...overrides });

describe("quorumFor", () => {
  type Case = [string, Partial<QuorumFacts>, QuorumRule[], { required: number; notOwner: boolean }];
  it.each<Case>([
    ["one approval by default", {}, [rule()], { required: 1, notOwner: false }],
    ["the settings' default", { defaultRequired: 2 }, [rule()], { required: 2, notOwner: false }],
    ["a rule's own number", {}, [rule({ approvals_required: 2 })], { required: 2, notOwner: false }],
    [
      "the highest of several matches",
      {},
      [rule({ approvals_required: 2 }), rule({ approvals_required: 3 })],
      { required: 3, notOwner: false },
    ],
    [
      "a rule that asks less than the default leaves the default",
      { defaultRequired: 2 },
      [rule({ approvals_required: 1 })],
      { required: 2, notOwner: false },
    ],
    [
      "never more than the task has approvers",
      { approvers: ["alice", "bob"] },
      [rule({ approvals_required: 5 })],
      { required: 2, notOwner: false },
    ],
    [
      "never more than the approvers left once the owner is excluded",
      {},
      [rule({ approvals_required: 3, approver_not_owner: true })],
      { required: 2, notOwner: true },
    ],
    [
      "the number as asked when a group may approve",
      { approverGroups: ["release"], approvers: ["alice"] },
      [rule({ approvals_required: 4 })],
      { required: 4, notOwner: false },
    ],
    [
      "the owner excluded when any match says so",
      {},
      [rule(), rule({ approver_not_owner: true })],
      { required: 1, notOwner: true },
    ],
  ])("asks for %s", (_name, overrides, rules, expected) => {
    expect(quorumFor(facts(overrides), rules)).toEqual({ ok: true, ...expected });
  });

  it("says when only the owner could approve a rule that excludes the owner", () => {
    const result = quorumFor(facts({ approvers: ["alice"] }), [
      rule({ rule_id: "two_person", approver_not_owner: true }),
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.reason).toContain("two_person needs an approver other than the task's owner");
  });
});

describe("narrowestScope", () => {
  it.each<[string[], string]>([
    [["tool:Bash"], "tool:Bash"],
    [["tool:Bash", "tool:Bash"], "tool:Bash"],
    [["all_session", "command:git push *"], "command:git push *"],
    [["all_session", "all_session"], "all_session"],
    [["this_call", "tool:Bash"], "this_call"],
    [["tool:Bash", "command:git push *"], "this_call"],
    [["path:src/*", "tool:Bash", "all_session"], "this_call"],
    [[], "this_call"],
  ])("grants what every voter endorsed: %j → %s", (chosen, expected) => {
    expect(narrowestScope(chosen)).toBe(expected);
  });
});

describe("quorum progress", () => {
  it.each<[number, string[], string]>([
    [2, [], "0 of 2 approvals"],
    [2, ["alice"], "1 of 2 approvals (alice)"],
    [2, ["alice", "bob"], "2 of 2 approvals (alice, bob)"],
    [1, [], "0 of 1 approval"],
  ])("reads %d needed, %j given, as %j", (required, by, text) => {
    expect(quorumProgress(required, by)).toBe(text);
  });

  it("counts votes, else the one approver of a plain approval", () => {
    const vote = (by: string) => ({
      by,
      at: "2026-11-22T12:00:00.000Z",
      via: "api" as const,
      scope: "this_call",
    });
    expect(approvedBy({ status: "PENDING", votes: [vote("bob")] })).toEqual(["bob"]);
    expect(
      approvedBy({ status: "APPROVED", votes: [vote("bob"), vote("carol")], decided_by: "carol" }),
    ).toEqual(["bob", "carol"]);
    expect(approvedBy({ status: "APPROVED", decided_by: "bob" })).toEqual(["bob"]);
    expect(approvedBy({ status: "DENIED", decided_by: "bob" })).toEqual([]);
  });
});
