import type { CedarRequest } from "./cedar-request";
import type { PolicyDiagnostic, RuleMeta } from "./rules";

/** A rule that Cedar could not evaluate for a request (e.g. a missing attribute). */
export interface RuleError {
  readonly rule_id: string;
  readonly message: string;
}

/**
 * The result of judging one request against every rule of a set: which forbids matched and
 * which errored, or a failure of the whole call. The pipeline turns any error into a DENY.
 */
export type PolicyMatch =
  | { readonly ok: true; readonly matched: readonly string[]; readonly errors: readonly RuleError[] }
  | { readonly ok: false; readonly message: string };

/**
 * A policy version ready to evaluate: parsed once, checked, and keyed by a hash of its
 * content. The Cedar adapter implements it; the pipeline only sees this port.
 */
export interface CompiledPolicySet {
  /** Content hash of the built-in text, the custom text and the disable list. */
  readonly id: string;
  /** Every active rule, built-ins first, in text order. Disabled rules are not here. */
  readonly rules: readonly RuleMeta[];
  /** Soft built-in rules this version disabled. */
  readonly disabled: readonly string[];
  rule(ruleId: string): RuleMeta | undefined;
  /** Judges one request. Never throws: a failure is a value. */
  match(request: CedarRequest): PolicyMatch;
}

/** What compiling a policy version gives: a ready set plus schema warnings, or every problem. */
export type CompileResult =
  | { readonly ok: true; readonly policySet: CompiledPolicySet; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly PolicyDiagnostic[] };

/** A published layer wider than the text being compiled (`*` or `owner/*` under a repo). */
export interface PolicyLayer {
  readonly layer: string;
  readonly custom: string;
  readonly disable: readonly string[];
}

/**
 * A layer's published text on top of the built-ins and the wider layers, with soft built-ins switched
 * off. Every layer's rules judge together: hard rules of any layer stay absolute.
 */
export interface PolicySource {
  readonly custom?: string;
  /** Soft built-in rules this layer switches off (checked); wider layers' own apply as published. */
  readonly disable?: readonly string[];
  /** The layer `custom` is published in. */
  readonly layer?: string;
  /** Wider published layers, widest first. */
  readonly wider?: readonly PolicyLayer[];
}

/**
 * Compiles (or returns the cached) policy set for a source; the Cedar adapter implements it.
 * A `transient` set (a dry run's candidate text) is not kept: it is valid until the next
 * transient compile reuses its slot, after which it fails closed, so callers use it at once.
 */
export type PolicyCompiler = (
  source: PolicySource,
  options?: { readonly transient?: boolean },
) => CompileResult;
