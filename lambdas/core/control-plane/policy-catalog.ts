import { PolicyInvalidError, ServiceUnavailableError } from "../errors";
import type { CompiledPolicySet, PolicyCompiler } from "../policy/policy-set";
import type { PolicyStore } from "../ports";
import type { PolicyVersionRecord } from "../records";

/** Attempts to claim the next version number when publishers race. */
const PUBLISH_ATTEMPTS = 5;

/**
 * Policy versions of repos: version 0 is the built-ins alone; published versions are
 * immutable, so each is read and compiled once per process and then served from memory.
 */
export class PolicyCatalog {
  private readonly versions = new Map<string, PolicyVersionRecord>();
  /** Compiled sets of immutable versions, so the hot path neither reads nor hashes policy text. */
  private readonly compiled = new Map<PolicyVersionRecord | undefined, CompiledPolicySet>();

  constructor(
    private readonly store: PolicyStore,
    private readonly compile: PolicyCompiler,
  ) {}

  /** The version new tasks of the repo pin: the latest published, or 0. */
  async latestVersion(repoId: string): Promise<number> {
    return (await this.store.latest(repoId))?.version ?? 0;
  }

  async latest(
    repoId: string,
  ): Promise<{ version: number; record?: PolicyVersionRecord; policySet: CompiledPolicySet }> {
    const record = await this.store.latest(repoId);
    if (record) this.versions.set(key(repoId, record.version), record);
    return {
      version: record?.version ?? 0,
      ...(record ? { record } : {}),
      policySet: this.compileRecord(record),
    };
  }

  /** The compiled set of a pinned version. A version that cannot be found or compiled fails closed (503). */
  async policySet(repoId: string, version: number): Promise<CompiledPolicySet> {
    if (version === 0) return this.compileRecord(undefined);
    let record = this.versions.get(key(repoId, version));
    if (!record) {
      record = await this.store.get(repoId, version);
      if (!record)
        throw new ServiceUnavailableError(new Error(`policy version ${repoId}@${version} is missing`));
      this.versions.set(key(repoId, version), record);
    }
    return this.compileRecord(record);
  }

  /** Compiles candidate text without storing it, for dry runs. */
  candidate(policies: string, disable: readonly string[] = []): CompiledPolicySet {
    const result = this.compile({ custom: policies, disable }, { transient: true });
    if (!result.ok) throw new PolicyInvalidError(result.diagnostics);
    return result.policySet;
  }

  /** Publishes the next version, or refuses the text with every problem found. */
  async publish(
    repoId: string,
    policies: string,
    disable: readonly string[],
    publishedBy: string,
    now: Date,
  ): Promise<{ record: PolicyVersionRecord; policySet: CompiledPolicySet; warnings: readonly string[] }> {
    const compiled = this.compile({ custom: policies, disable });
    if (!compiled.ok) throw new PolicyInvalidError(compiled.diagnostics);
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const latest = await this.store.latest(repoId);
      const record: PolicyVersionRecord = {
        repo_id: repoId,
        version: (latest?.version ?? 0) + 1,
        policies,
        disable: [...disable],
        published_by: publishedBy,
        published_at: now.toISOString(),
      };
      if ((await this.store.put(record)) === "created") {
        this.remember(record);
        return { record, policySet: compiled.policySet, warnings: compiled.warnings };
      }
    }
    throw new ServiceUnavailableError(new Error(`could not claim a policy version for ${repoId}`));
  }

  /** One object per version, so compiled sets can be cached by it. */
  private remember(record: PolicyVersionRecord): PolicyVersionRecord {
    const k = key(record.repo_id, record.version);
    const known = this.versions.get(k);
    if (known) return known;
    this.versions.set(k, record);
    return record;
  }

  private compileRecord(record: PolicyVersionRecord | undefined): CompiledPolicySet {
    const cached = this.compiled.get(record);
    if (cached) return cached;
    const result = this.compile(record ? { custom: record.policies, disable: record.disable } : {});
    if (!result.ok) {
      const where = record ? `${record.repo_id}@${record.version}` : "the built-ins";
      throw new ServiceUnavailableError(new Error(`policies of ${where} no longer compile`));
    }
    this.compiled.set(record, result.policySet);
    return result.policySet;
  }
}

function key(repoId: string, version: number): string {
  return `${repoId}#${version}`;
}
