import type { LockTarget } from "../../contracts/governance";
import { PlaceLockBodySchema } from "../../contracts/governance";
import { LockCatalog } from "../../lambdas/core/control-plane/lock-catalog";
import { ServiceUnavailableError } from "../../lambdas/core/errors";
import {
  describeLock,
  type LockRecord,
  lockHolds,
  lockMatches,
  lockStopping,
} from "../../lambdas/core/governance/locks";
import { GENESIS_HASH } from "../../lambdas/core/ledger";
import type { LockStore } from "../../lambdas/core/ports";

const NOW = new Date("2026-11-22T12:00:00.000Z");
const lock = (target: LockTarget, overrides: Partial<LockRecord> = {}): LockRecord => ({
  lock_id: `01JLOCK${target.length.toString().padStart(19, "0")}`,
  target,
  reason: "incident 42",
  placed_by: "root",
  placed_at: "2026-11-22T11:00:00.000Z",
  cancel_pending: false,
  ...overrides,
});
const TASK = { repo: "acme/app", agent_id: "arn:aws:sts::123456789012:assumed-role/ci/run-7" };

describe("lockMatches", () => {
  it.each<[LockTarget, boolean]>([
    ["all", true],
    ["repo:acme/app", true],
    ["repo:acme/*", true],
    ["repo:acme/app2", false],
    ["repo:other/*", false],
    ["agent:arn:aws:sts::123456789012:assumed-role/ci/run-7", true],
    ["agent:arn:aws:sts::123456789012:assumed-role/ci/*", true],
    ["agent:arn:aws:sts::123456789012:assumed-role/deploy/*", false],
  ])("%s stops a task of acme/app by the ci role: %s", (target, expected) => {
    expect(lockMatches(target, TASK)).toBe(expected);
  });
});

describe("lockHolds", () => {
  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ["2026-11-22T12:00:00.001Z", true],
    ["2026-11-22T12:00:00.000Z", false],
    ["2026-11-22T11:59:59.999Z", false],
  ])("a lock expiring at %s holds at noon: %s", (expiresAt, holds) => {
    expect(lockHolds(lock("all", expiresAt ? { expires_at: expiresAt } : {}), NOW)).toBe(holds);
  });

  it("picks the oldest lock that holds and matches, and says who placed it and why", () => {
    const expired = lock("all", {
      lock_id: "01JAAAAAAAAAAAAAAAAAAAAAA1",
      expires_at: "2026-11-22T11:30:00.000Z",
    });
    const other = lock("repo:other/*", { lock_id: "01JAAAAAAAAAAAAAAAAAAAAAA2" });
    const holding = lock("repo:acme/*", { lock_id: "01JAAAAAAAAAAAAAAAAAAAAAA3" });
    const found = lockStopping([expired, other, holding], TASK, NOW);
    expect(found).toBe(holding);
    expect(describeLock(holding)).toBe("lock 01JAAAAAAAAAAAAAAAAAAAAAA3 on repo:acme/* by root: incident 42");
  });
});

describe("lock targets", () => {
  it.each([
    ["all", "all"],
    ["repo:Acme/App.git", "repo:acme/app"],
    ["repo:acme/*", "repo:acme/*"],
    ["repo:*", "all"],
    ["agent:arn:aws:iam::123456789012:role/ci", "agent:arn:aws:iam::123456789012:role/ci"],
  ])("reads %j as %j", (target, canonical) => {
    expect(PlaceLockBodySchema.parse({ target, reason: "r" }).target).toBe(canonical);
  });

  it.each(["everything", "repo:https://github.com/acme/app", "agent:", "agent:a b", "repo:acme/x*"])(
    "refuses %j",
    (target) => {
      expect(PlaceLockBodySchema.safeParse({ target, reason: "r" }).success).toBe(false);
    },
  );
});

/** A lock store that answers from a list and counts its reads; `fail` makes the next read throw. */
function fakeStore(locks: LockRecord[]) {
  let reads = 0;
  let fail = false;
  let held: Promise<void> | undefined;
  let resume: () => void = () => undefined;
  const store: LockStore = {
    listLocks: async () => {
      reads += 1;
      if (fail) throw new ServiceUnavailableError(new Error("down"));
      const answer = [...locks];
      const wait = held;
      held = undefined;
      if (wait) await wait;
      return answer;
    },
    head: async () => ({ version: 0, last_event_hash: GENESIS_HASH }),
    commit: async () => "committed",
    listEvents: async () => ({ items: [], more: false }),
  };
  return {
    store,
    reads: () => reads,
    failNext: () => (fail = true),
    /** Holds the next read until `resume`. */
    holdNext: () => {
      held = new Promise<void>((r) => {
        resume = r;
      });
    },
    resume: () => resume(),
  };
}

describe("LockCatalog", () => {
  it("keeps its copy for the configured time, then reads again", async () => {
    // Prepare
    let elapsed = 0;
    const fake = fakeStore([lock("all")]);
    const catalog = new LockCatalog(fake.store, 1000, () => elapsed);

    // Act
    await catalog.active(NOW);
    elapsed = 999;
    await catalog.active(NOW);
    elapsed = 1000;
    const locks = await catalog.active(NOW);

    // Assess
    expect(fake.reads()).toBe(2);
    expect(locks).toHaveLength(1);
  });

  it("reads again at once after this process changed the locks", async () => {
    const fake = fakeStore([]);
    const catalog = new LockCatalog(fake.store, 60_000, () => 0);
    await catalog.active(NOW);
    catalog.forget();
    await catalog.active(NOW);
    expect(fake.reads()).toBe(2);
  });

  it("never keeps a copy read before a change it did not see", async () => {
    // Prepare: a read is in flight when the locks change
    const fake = fakeStore([]);
    const catalog = new LockCatalog(fake.store, 60_000, () => 0);
    fake.holdNext();
    const inFlight = catalog.active(NOW);
    catalog.forget();
    fake.resume();
    await inFlight;

    // Act
    await catalog.active(NOW);

    // Assess: the stale answer was not kept, so the next evaluation read again
    expect(fake.reads()).toBe(2);
  });

  it("drops expired locks from what it answers, and reads fresh when asked", async () => {
    const fake = fakeStore([lock("all", { expires_at: "2026-11-22T11:00:00.000Z" }), lock("repo:acme/*")]);
    const catalog = new LockCatalog(fake.store, 60_000, () => 0);
    expect((await catalog.active(NOW)).map((l) => l.target)).toEqual(["repo:acme/*"]);
    await catalog.active(NOW, { fresh: true });
    expect(fake.reads()).toBe(2);
  });

  it("fails closed: a failed read throws instead of answering from an expired copy", async () => {
    let elapsed = 0;
    const fake = fakeStore([lock("all")]);
    const catalog = new LockCatalog(fake.store, 1000, () => elapsed);
    await catalog.active(NOW);
    elapsed = 5000;
    fake.failNext();
    await expect(catalog.active(NOW)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
