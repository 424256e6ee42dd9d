import { setFlagsFromString } from "node:v8";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { canonicalJson } from "../../core/canonical-json";
import { sha256Hex } from "../../core/hashing";
import type { CedarRequest } from "../../core/policy/cedar-request";
import type {
  CompiledPolicySet,
  CompileResult,
  PolicyMatch,
  PolicySource,
  RuleError,
} from "../../core/policy/policy-set";
import {
  checkRules,
  MAX_POLICY_TEXT_BYTES,
  type ParsedDocument,
  type ParsedPolicy,
  type PolicyDiagnostic,
  type RuleMeta,
  type RuleSource,
} from "../../core/policy/rules";
import { policyTextProblem } from "../../core/policy-text-limits";
import { GATES_CEDAR_SCHEMA } from "../../policies/builtin";

/** Candidate sets of dry runs reuse these few preparse slots instead of accumulating in memory. */
const TRANSIENT_SLOTS = 4;

/** The id of the catch-all permit; rule ids cannot start with "_", so it never clashes. */
const DEFAULT_PERMIT_ID = "__default_permit";
const DEFAULT_PERMIT = "permit (principal, action, resource);";

/** One built-in policy as parsing found it, its text kept as a place in the file it came from. */
interface PreparedPolicy {
  readonly label: string;
  readonly effect: "permit" | "forbid";
  readonly annotations: Readonly<Record<string, string>>;
  readonly at: number;
  readonly length: number;
}

/**
 * What parsing the built-in texts yields, computed when a function is bundled so that its cold
 * start skips Cedar's per-policy parsing: only the fingerprint, effects, annotations and places
 * travel, never a second copy of the text. Facts whose fingerprint does not match the texts an
 * engine is given are ignored, and the texts are parsed instead.
 */
export interface PreparedBuiltins {
  readonly fingerprint: string;
  readonly documents: readonly (readonly PreparedPolicy[])[];
}

/** The fingerprint of built-in texts, as {@link PreparedBuiltins} carry it. */
function fingerprintOf(texts: readonly string[]): string {
  return sha256Hex(canonicalJson({ builtin: texts }));
}

/**
 * Parses the built-in texts once, for {@link CedarPolicyEngine} to start from without parsing
 * them again. Fails if a built-in does not parse, or its text is not found where Cedar says.
 */
export function prepareBuiltins(texts: readonly string[], wasm: CedarWasm = cedar): PreparedBuiltins {
  const diagnostics: PolicyDiagnostic[] = [];
  const documents = texts.map((text) => {
    const parsed = parseDocument(wasm, text, "builtin", diagnostics);
    let cursor = 0;
    return parsed.policies.map((policy) => {
      const at = text.indexOf(policy.text, cursor);
      if (at < 0) throw new Error(`built-in ${policy.label} is not a slice of its file`);
      cursor = at + policy.text.length;
      return {
        label: policy.label,
        effect: policy.effect,
        annotations: policy.annotations,
        at,
        length: policy.text.length,
      };
    });
  });
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join("; "));
  return { fingerprint: fingerprintOf(texts), documents };
}

/** The parsed built-in documents the prepared facts stand for, or nothing if they are for other texts. */
function restoreBuiltins(
  prepared: PreparedBuiltins | undefined,
  texts: readonly string[],
): ParsedDocument[] | undefined {
  if (!prepared || prepared.fingerprint !== fingerprintOf(texts)) return undefined;
  if (prepared.documents.length !== texts.length) return undefined;
  return prepared.documents.map((policies, index) => {
    const text = texts[index] ?? "";
    return {
      source: "builtin" as const,
      policies: policies.map((p) => ({
        label: p.label,
        effect: p.effect,
        annotations: p.annotations,
        text: text.slice(p.at, p.at + p.length),
      })),
    };
  });
}

/** The cedar-wasm functions the engine uses; injectable so tests can count calls. */
export type CedarWasm = Pick<
  typeof cedar,
  "policySetTextToParts" | "policyToJson" | "preparsePolicySet" | "statefulIsAuthorized" | "validate"
>;

/**
 * Turns policy text into ready-to-evaluate policy sets. Each distinct content is parsed,
 * checked and preparsed into cedar-wasm once, then served from memory by its hash, so no
 * decision ever re-parses policy text.
 */
export class CedarPolicyEngine {
  private readonly compiled = new Map<string, CompileResult & { ok: true }>();
  /** Which transient set currently owns each slot. */
  private readonly slotOwners: symbol[] = [];
  private nextSlot = 0;

  /** The built-in texts, parsed: from prepared facts, or on the first compile, then kept. */
  private builtinDocuments: ParsedDocument[] | undefined;

  constructor(
    private readonly builtinTexts: readonly string[],
    private readonly wasm: CedarWasm = cedar,
    prepared?: PreparedBuiltins,
  ) {
    avoidWasmInliningCrash();
    try {
      this.builtinDocuments = restoreBuiltins(prepared, builtinTexts);
    } catch {
      // Facts of a shape this code does not know: parse the texts instead, as without any.
      this.builtinDocuments = undefined;
    }
  }

  /** The Cedar version in use, for health and diagnostics. */
  static cedarVersion(): string {
    return cedar.getCedarVersion();
  }

  compile(source: PolicySource = {}, options: { readonly transient?: boolean } = {}): CompileResult {
    const custom = source.custom ?? "";
    const disable = source.disable ?? [];
    const wider = source.wider ?? [];
    const hash = sha256Hex(
      canonicalJson({
        builtin: this.builtinTexts,
        custom,
        disable,
        ...(wider.length > 0 || source.layer !== undefined
          ? { layer: source.layer ?? "", wider: wider.map((w) => ({ ...w, disable: [...w.disable] })) }
          : {}),
      }),
    );
    const cached = this.compiled.get(hash);
    if (cached) return cached;
    const slot = options.transient ? this.nextSlot++ % TRANSIENT_SLOTS : undefined;
    const id = slot === undefined ? hash : `transient-${slot}`;

    const diagnostics: PolicyDiagnostic[] = [];
    if (
      [custom, ...wider.map((w) => w.custom)].some(
        (t) => Buffer.byteLength(t, "utf8") > MAX_POLICY_TEXT_BYTES,
      )
    ) {
      return {
        ok: false,
        diagnostics: [
          { message: `policy text is over ${MAX_POLICY_TEXT_BYTES / 1024} KiB; split or simplify it` },
        ],
      };
    }
    // Text past these limits would overflow the parser's stack and break the module for good.
    const tooComplex = policyTextProblem(custom);
    if (tooComplex !== undefined) return { ok: false, diagnostics: [{ message: tooComplex }] };
    // The built-ins are the same in every set, so they are parsed once per engine at most.
    const builtins =
      this.builtinDocuments ??
      this.builtinTexts.map((text) => parseDocument(this.wasm, text, "builtin", diagnostics));
    if (diagnostics.length === 0) this.builtinDocuments = builtins;
    // Most sets have no custom rules, and empty text holds no policy to parse.
    const customDocument = (text: string, layer: string | undefined): ParsedDocument =>
      text === ""
        ? { source: "custom", ...(layer !== undefined ? { layer } : {}), policies: [] }
        : parseDocument(this.wasm, text, "custom", diagnostics, layer);
    const documents = [
      ...builtins,
      ...wider.map((w) => customDocument(w.custom, w.layer)),
      customDocument(custom, source.layer),
    ];
    if (diagnostics.length > 0) return { ok: false, diagnostics };

    const checked = checkRules(documents, disable);
    if (!checked.ok) return { ok: false, diagnostics: checked.diagnostics };

    // Wider layers' disables were checked when they were published; only soft built-ins are honoured.
    const inherited = wider
      .flatMap((w) => w.disable)
      .filter((id) =>
        checked.rules.some((r) => r.rule_id === id && r.tier === "soft" && r.source === "builtin"),
      );
    const disabled = new Set([...inherited, ...disable]);
    const active = checked.rules.filter((r) => !disabled.has(r.rule_id));
    const staticPolicies: Record<string, string> = { [DEFAULT_PERMIT_ID]: DEFAULT_PERMIT };
    for (const rule of active) staticPolicies[rule.rule_id] = checked.texts.get(rule.rule_id) ?? "";
    const preparsed = this.wasm.preparsePolicySet(id, { staticPolicies });
    if (preparsed.type === "failure") {
      return { ok: false, diagnostics: preparsed.errors.map((e) => ({ message: e.message })) };
    }

    let isCurrent: () => boolean = () => true;
    if (slot !== undefined) {
      const owner = Symbol(id);
      this.slotOwners[slot] = owner;
      isCurrent = () => this.slotOwners[slot] === owner;
    }
    const result = {
      ok: true as const,
      policySet: new PreparsedPolicySet(this.wasm, id, active, [...disabled], isCurrent),
      warnings: schemaWarnings(
        this.wasm,
        customTexts(
          checked.rules.filter((r) => r.layer === source.layer),
          checked.texts,
        ),
      ),
    };
    if (slot === undefined) this.compiled.set(hash, result);
    return result;
  }
}

/**
 * Node 20's optimizing compiler inlines JS→Wasm calls, and deoptimizing `match` while it is
 * inside the Cedar call aborts the whole process ("unreachable code"); it happens once the
 * decision path is hot. Switching that one inlining off removes the crash and costs nothing
 * measurable (engine benchmark unchanged). It must run before the decision path is optimized.
 */
function avoidWasmInliningCrash(): void {
  setFlagsFromString("--no-turbo-inline-js-wasm-calls");
}

class PreparsedPolicySet implements CompiledPolicySet {
  private readonly order: ReadonlyMap<string, number>;
  private readonly byId: ReadonlyMap<string, RuleMeta>;

  constructor(
    private readonly wasm: CedarWasm,
    readonly id: string,
    readonly rules: readonly RuleMeta[],
    readonly disabled: readonly string[],
    /** False once a transient set's slot was reused; its rules are then no longer the ones preparsed. */
    private readonly isCurrent: () => boolean = () => true,
  ) {
    this.order = new Map(rules.map((r, i) => [r.rule_id, i]));
    this.byId = new Map(rules.map((r) => [r.rule_id, r]));
  }

  rule(ruleId: string): RuleMeta | undefined {
    return this.byId.get(ruleId);
  }

  match(request: CedarRequest): PolicyMatch {
    if (!this.isCurrent())
      return { ok: false, message: "this candidate policy set was replaced; compile it again" };
    let answer: cedar.AuthorizationAnswer;
    try {
      answer = this.wasm.statefulIsAuthorized({
        principal: request.principal,
        action: request.action,
        resource: request.resource,
        context: request.context,
        entities: [],
        preparsedPolicySetId: this.id,
      });
    } catch (error) {
      // cedar-wasm throws (rather than answering "failure") on some malformed input.
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    if (answer.type === "failure") {
      return {
        ok: false,
        message: answer.errors.map((e) => e.message).join("; ") || "unknown Cedar failure",
      };
    }
    const { reason, errors } = answer.response.diagnostics;
    const matched =
      answer.response.decision === "deny"
        ? reason.filter((id) => this.order.has(id)).sort((a, b) => this.rank(a) - this.rank(b))
        : [];
    const ruleErrors: RuleError[] = errors.map((e) => ({ rule_id: e.policyId, message: e.error.message }));
    return { ok: true, matched, errors: ruleErrors };
  }

  private rank(ruleId: string): number {
    return this.order.get(ruleId) ?? Number.MAX_SAFE_INTEGER;
  }
}

/** Splits one text into policies and reads each one's effect and annotations. */
function parseDocument(
  wasm: CedarWasm,
  text: string,
  source: RuleSource,
  diagnostics: PolicyDiagnostic[],
  layer?: string,
): ParsedDocument {
  const origin =
    source === "builtin" ? "built-in policy text" : layer ? `policy text of ${layer}` : "policy text";
  const parts = wasm.policySetTextToParts(text);
  if (parts.type === "failure") {
    for (const e of parts.errors) diagnostics.push({ message: `${origin}: ${locate(text, e)}${e.message}` });
    return { source, ...(layer !== undefined ? { layer } : {}), policies: [] };
  }
  if (parts.policy_templates.length > 0) {
    diagnostics.push({
      message: `${origin} has a template (a policy with ?principal or ?resource); use plain forbid rules`,
    });
  }
  const policies: ParsedPolicy[] = [];
  let cursor = 0;
  // Cedar lists the policies by generated id (policy0, policy1, policy10, …); rules keep the
  // order of the text, which is the order decisions name them in.
  const inTextOrder = [...parts.policies].sort((a, b) => text.indexOf(a) - text.indexOf(b));
  inTextOrder.forEach((policyText, index) => {
    const at = text.indexOf(policyText, cursor);
    if (at >= 0) cursor = at + policyText.length;
    const label = `policy ${index + 1}${at >= 0 ? ` (line ${lineOf(text, at)})` : ""}`;
    const json = wasm.policyToJson(policyText);
    if (json.type === "failure") {
      diagnostics.push({ message: `${origin}: ${label}: ${json.errors.map((e) => e.message).join("; ")}` });
      return;
    }
    policies.push({
      label,
      effect: json.json.effect,
      annotations: json.json.annotations ?? {},
      text: policyText,
    });
  });
  return { source, ...(layer !== undefined ? { layer } : {}), policies };
}

/** "line 3, column 7: " for the first source location of a parse error. */
function locate(text: string, error: cedar.DetailedError): string {
  const start = error.sourceLocations?.[0]?.start;
  if (start === undefined) return "";
  const before = text.slice(0, start);
  const line = before.split("\n").length;
  const column = start - before.lastIndexOf("\n");
  const label = error.sourceLocations?.[0]?.label;
  return `line ${line}, column ${column}${label ? ` (${label})` : ""}: `;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

function customTexts(rules: readonly RuleMeta[], texts: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) if (r.source === "custom") out[r.rule_id] = texts.get(r.rule_id) ?? "";
  return out;
}

/** Schema findings for custom rules: advice for the publisher, never a reason to refuse. */
function schemaWarnings(wasm: CedarWasm, custom: Record<string, string>): string[] {
  if (Object.keys(custom).length === 0) return [];
  try {
    const answer = wasm.validate({ schema: GATES_CEDAR_SCHEMA, policies: { staticPolicies: custom } });
    if (answer.type === "failure") return answer.errors.map((e) => `schema: ${e.message}`);
    return [...answer.validationErrors, ...answer.validationWarnings].map(
      (w) => `${w.policyId}: ${w.error.message}`,
    );
  } catch (error) {
    return [`schema validation did not run: ${error instanceof Error ? error.message : String(error)}`];
  }
}
