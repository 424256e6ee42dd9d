import type { LayerVersion } from "../../../contracts/api";
import { layersOf } from "../../../contracts/repo-id";
import { PolicyInvalidError, ServiceUnavailableError } from "../errors";
import type { CompiledPolicySet, PolicyCompiler, PolicySource } from "../policy/policy-set";
import type { PolicyStore } from "../ports";
import type { PolicyVersionRecord } from "../records";

/** Attempts to claim the next version number when publishers race. */
const PUBLISH_ATTEMPTS = 5;

/** The policy layers in force for a repo or layer, widest first, and their combined rules. */
export interface LayeredPolicies {
  /** The published layers (never-published ones are absent), widest first. */
  readonly layers: readonly PolicyVersionRecord[];
  readonly policySet: CompiledPolicySet;
}

/** What a task pins: the repo's own layer version and every layer it is judged by. */
export interface PinnedPolicies {
  readonly repo: string;
  readonly policy_version: number;
  readonly policy_layers?: readonly LayerVersion[];
}

/**
 * Policy layers and their versions: a repo is judged by the built-ins plus every published layer
 * covering it (`*`, `owner/*`, the repo). Published versions are immutable, so each is read once per
 * process and each combination of versions is compiled once, then served from memory.
 */
export class PolicyCatalog {
  private readonly versions = new Map<string, PolicyVersionRecord>();
  /** Compiled combinations, keyed by their layer versions, so the hot path neither reads nor hashes text. */
  private readonly compiled = new Map<string, CompiledPolicySet>();

  constructor(
    private readonly store: PolicyStore,
    private readonly compile: PolicyCompiler,
  ) {}

  /** The latest version of every layer that covers `layerId`, widest first, and their combined rules. */
  async latest(layerId: string): Promise<LayeredPolicies> {
    const found = await Promise.all(layersOf(layerId).map((layer) => this.store.latest(layer)));
    const layers = found
      .filter((r): r is PolicyVersionRecord => r !== undefined)
      .map((r) => this.remember(r));
    return { layers, policySet: this.combine(layers) };
  }

  /**
   * The compiled rules a task pinned. A version that cannot be read or no longer compiles fails
   * closed (503). Tasks registered before layers pinned only their repo's version.
   */
  async forTask(task: PinnedPolicies): Promise<CompiledPolicySet> {
    const pins =
      task.policy_layers ??
      (task.policy_version > 0 ? [{ layer: task.repo, version: task.policy_version }] : []);
    const layers = await Promise.all(pins.map((pin) => this.version(pin.layer, pin.version)));
    return this.combine(layers);
  }

  /** Compiles candidate text as the layer's next version, on top of its wider layers, without storing it. */
  async candidate(
    layerId: string,
    policies: string,
    disable: readonly string[] = [],
  ): Promise<CompiledPolicySet> {
    const wider = await this.widerLayers(layerId);
    const result = this.compile(source(wider, { layer: layerId, custom: policies, disable }), {
      transient: true,
    });
    if (!result.ok) throw new PolicyInvalidError(result.diagnostics);
    return result.policySet;
  }

  /** Publishes a layer's next version, or refuses the text with every problem found (its wider layers included). */
  async publish(
    layerId: string,
    policies: string,
    disable: readonly string[],
    publishedBy: string,
    now: Date,
  ): Promise<{
    record: PolicyVersionRecord;
    layers: readonly PolicyVersionRecord[];
    policySet: CompiledPolicySet;
    warnings: readonly string[];
  }> {
    const wider = await this.widerLayers(layerId);
    const compiled = this.compile(source(wider, { layer: layerId, custom: policies, disable }));
    if (!compiled.ok) throw new PolicyInvalidError(compiled.diagnostics);
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const latest = await this.store.latest(layerId);
      const record: PolicyVersionRecord = {
        repo_id: layerId,
        version: (latest?.version ?? 0) + 1,
        policies,
        disable: [...disable],
        published_by: publishedBy,
        published_at: now.toISOString(),
      };
      if ((await this.store.put(record)) === "created") {
        const layers = [...wider, this.remember(record)];
        return { record, layers, policySet: this.combine(layers), warnings: compiled.warnings };
      }
    }
    throw new ServiceUnavailableError(new Error(`could not claim a policy version for ${layerId}`));
  }

  /** The latest published versions of the layers wider than `layerId`. */
  private async widerLayers(layerId: string): Promise<PolicyVersionRecord[]> {
    const { layers } = await this.latest(layerId);
    return layers.filter((r) => r.repo_id !== layerId);
  }

  private async version(layer: string, version: number): Promise<PolicyVersionRecord> {
    const known = this.versions.get(key(layer, version));
    if (known) return known;
    const record = await this.store.get(layer, version);
    if (!record)
      throw new ServiceUnavailableError(new Error(`policy version ${layer}@${version} is missing`));
    return this.remember(record);
  }

  /** One object per version, so the same version is never read twice. */
  private remember(record: PolicyVersionRecord): PolicyVersionRecord {
    const k = key(record.repo_id, record.version);
    const known = this.versions.get(k);
    if (known) return known;
    this.versions.set(k, record);
    return record;
  }

  private combine(layers: readonly PolicyVersionRecord[]): CompiledPolicySet {
    const k = layers.map((r) => key(r.repo_id, r.version)).join("|");
    const cached = this.compiled.get(k);
    if (cached) return cached;
    const own = layers.at(-1);
    const result = this.compile(
      own
        ? source(layers.slice(0, -1), { layer: own.repo_id, custom: own.policies, disable: own.disable })
        : {},
    );
    if (!result.ok) {
      const where = own ? layers.map((r) => `${r.repo_id}@${r.version}`).join(" + ") : "the built-ins";
      throw new ServiceUnavailableError(new Error(`policies of ${where} no longer compile`));
    }
    this.compiled.set(k, result.policySet);
    return result.policySet;
  }
}

function source(
  wider: readonly PolicyVersionRecord[],
  own: { layer: string; custom: string; disable: readonly string[] },
): PolicySource {
  return {
    layer: own.layer,
    custom: own.custom,
    disable: own.disable,
    wider: wider.map((r) => ({ layer: r.repo_id, custom: r.policies, disable: r.disable })),
  };
}

function key(layer: string, version: number): string {
  return `${layer}#${version}`;
}
