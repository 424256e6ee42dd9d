/** The tier decides what a matching forbid means: hard → DENY, soft → REQUIRE_APPROVAL. */
export type Tier = "hard" | "soft";
export type Severity = "low" | "medium" | "high" | "critical";
export type RuleSource = "builtin" | "custom";

/** What the control plane knows about one forbid rule, read from its annotations. */
export interface RuleMeta {
  readonly rule_id: string;
  readonly tier: Tier;
  readonly source: RuleSource;
  /** Soft rules only; `medium` when the annotation is absent. */
  readonly severity?: Severity;
  /** Soft rules only; absent means the task's own timeout applies. */
  readonly approval_timeout_s?: number;
  /** Soft rules only: distinct approvers a match needs; absent means the settings' default. */
  readonly approvals_required?: number;
  /** Soft rules only: the task's owner may not approve a match. */
  readonly approver_not_owner?: boolean;
  /** The policy layer of a custom rule: `*`, `owner/*` or a repo. */
  readonly layer?: string;
  readonly category?: string;
  readonly summary?: string;
}

/** One problem with a policy text, shown to whoever publishes it. */
export interface PolicyDiagnostic {
  readonly rule_id?: string;
  readonly message: string;
}

export const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];
export const RULE_ID_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;
export const MIN_APPROVAL_TIMEOUT_S = 30;
export const MAX_APPROVAL_TIMEOUT_S = 3600;
export const MAX_POLICY_TEXT_BYTES = 64 * 1024;
export const MAX_APPROVALS_REQUIRED = 10;

const KNOWN_ANNOTATIONS = new Set([
  "rule_id",
  "tier",
  "severity",
  "approval_timeout_s",
  "approvals_required",
  "approver_not_owner",
  "category",
  "summary",
]);

/** The highest of the given severities; `low` for none. */
export function highestSeverity(severities: readonly Severity[]): Severity {
  let best = 0;
  for (const s of severities) best = Math.max(best, SEVERITIES.indexOf(s));
  return SEVERITIES[best] ?? "low";
}

/** A policy as the Cedar parser returned it, before we read its annotations. */
export interface ParsedPolicy {
  /** Where it came from, for messages: e.g. "policy 3 (line 12)". */
  readonly label: string;
  readonly effect: "permit" | "forbid";
  readonly annotations: Readonly<Record<string, string>>;
  readonly text: string;
}

export type ReadRuleResult =
  | { readonly ok: true; readonly rule: RuleMeta }
  | { readonly ok: false; readonly diagnostics: readonly PolicyDiagnostic[] };

/**
 * Reads and checks one policy's annotations. Every problem is reported, not just the first,
 * so a publisher can fix a whole file in one round.
 */
export function readRule(policy: ParsedPolicy, source: RuleSource, layer?: string): ReadRuleResult {
  const a = policy.annotations;
  const ruleId = a.rule_id;
  const where = ruleId && RULE_ID_PATTERN.test(ruleId) ? `rule "${ruleId}"` : policy.label;
  const problems: string[] = [];

  if (policy.effect !== "forbid") {
    problems.push(
      `${where} is a permit; only forbid rules may be published (every tier already permits what no forbid matches)`,
    );
  }
  if (ruleId === undefined) {
    problems.push(`${where} has no @rule_id; add one such as @rule_id("no_prod_deploy")`);
  } else if (!RULE_ID_PATTERN.test(ruleId)) {
    problems.push(
      `${where} has @rule_id("${ruleId}"), which must match ^[a-z][a-z0-9_]{1,63}$ (lower case, digits, underscores)`,
    );
  }

  const tier = a.tier;
  if (tier === undefined) {
    problems.push(`${where} has no @tier; add @tier("hard") to deny or @tier("soft") to ask a human`);
  } else if (tier !== "hard" && tier !== "soft") {
    problems.push(`${where} has @tier("${tier}"); use "hard" or "soft"`);
  }

  let severity: Severity | undefined;
  if (a.severity !== undefined) {
    if (tier === "hard")
      problems.push(`${where} is hard and has @severity; severity applies to soft rules only`);
    else if (!(SEVERITIES as readonly string[]).includes(a.severity)) {
      problems.push(`${where} has @severity("${a.severity}"); use one of ${SEVERITIES.join(", ")}`);
    } else severity = a.severity as Severity;
  }

  let timeout: number | undefined;
  if (a.approval_timeout_s !== undefined) {
    const value = a.approval_timeout_s;
    if (tier === "hard") {
      problems.push(`${where} is hard and has @approval_timeout_s; timeouts apply to soft rules only`);
    } else if (
      !/^\d{1,5}$/.test(value) ||
      Number(value) < MIN_APPROVAL_TIMEOUT_S ||
      Number(value) > MAX_APPROVAL_TIMEOUT_S
    ) {
      problems.push(
        `${where} has @approval_timeout_s("${value}"); use a whole number of seconds from ${MIN_APPROVAL_TIMEOUT_S} to ${MAX_APPROVAL_TIMEOUT_S}`,
      );
    } else timeout = Number(value);
  }

  let approvals: number | undefined;
  if (a.approvals_required !== undefined) {
    const value = a.approvals_required;
    if (tier === "hard") {
      problems.push(`${where} is hard and has @approvals_required; hard rules deny, nobody approves them`);
    } else if (
      !/^\d{1,2}$/.test(value ?? "") ||
      Number(value) < 1 ||
      Number(value) > MAX_APPROVALS_REQUIRED
    ) {
      problems.push(
        `${where} has @approvals_required("${value}"); use a whole number of approvers from 1 to ${MAX_APPROVALS_REQUIRED}`,
      );
    } else approvals = Number(value);
  }

  // `@approver_not_owner` takes no value; Cedar reads a bare annotation as null.
  let notOwner = false;
  if (Object.hasOwn(a, "approver_not_owner")) {
    const value: string | null | undefined = a.approver_not_owner;
    if (tier === "hard") {
      problems.push(`${where} is hard and has @approver_not_owner; hard rules deny, nobody approves them`);
    } else if (value !== null && value !== "" && value !== "true") {
      problems.push(`${where} has @approver_not_owner("${value}"); write it bare, @approver_not_owner`);
    } else notOwner = true;
  }

  for (const name of Object.keys(a)) {
    if (!KNOWN_ANNOTATIONS.has(name)) {
      problems.push(
        `${where} has an unknown annotation @${name}; known: ${[...KNOWN_ANNOTATIONS].join(", ")}`,
      );
    }
  }

  if (problems.length > 0) {
    const id = ruleId !== undefined && RULE_ID_PATTERN.test(ruleId) ? ruleId : undefined;
    return {
      ok: false,
      diagnostics: problems.map((message) => (id ? { rule_id: id, message } : { message })),
    };
  }
  const rule: RuleMeta = {
    rule_id: ruleId as string,
    tier: tier as Tier,
    source,
    ...(tier === "soft" ? { severity: severity ?? "medium" } : {}),
    ...(timeout !== undefined ? { approval_timeout_s: timeout } : {}),
    ...(approvals !== undefined ? { approvals_required: approvals } : {}),
    ...(notOwner ? { approver_not_owner: true } : {}),
    ...(layer !== undefined ? { layer } : {}),
    ...(a.category !== undefined ? { category: a.category } : {}),
    ...(a.summary !== undefined ? { summary: a.summary } : {}),
  };
  return { ok: true, rule };
}

/** Policies of one origin (the built-ins, or a repo's published text), already parsed. */
export interface ParsedDocument {
  readonly source: RuleSource;
  /** The layer of a custom document: `*`, `owner/*` or a repo. */
  readonly layer?: string;
  readonly policies: readonly ParsedPolicy[];
}

export type CheckRulesResult =
  | {
      readonly ok: true;
      /** Every rule, built-ins first, in text order; disabled rules included. */
      readonly rules: readonly RuleMeta[];
      /** Policy text by rule id, for the Cedar compiler. */
      readonly texts: ReadonlyMap<string, string>;
    }
  | { readonly ok: false; readonly diagnostics: readonly PolicyDiagnostic[] };

/**
 * Checks a whole policy set: every rule's annotations, ids unique across tiers and
 * built-ins, and `disable` naming only soft built-in rules.
 */
export function checkRules(
  documents: readonly ParsedDocument[],
  disable: readonly string[],
): CheckRulesResult {
  // The last document is the one being published; `disable` is its own.
  const ownLayer = documents.at(-1)?.layer;
  const diagnostics: PolicyDiagnostic[] = [];
  const rules: RuleMeta[] = [];
  const texts = new Map<string, string>();

  for (const doc of documents) {
    for (const policy of doc.policies) {
      const read = readRule(policy, doc.source, doc.layer);
      if (!read.ok) {
        diagnostics.push(...read.diagnostics);
        continue;
      }
      const existing = rules.find((r) => r.rule_id === read.rule.rule_id);
      if (existing) {
        const clash =
          existing.source === "builtin"
            ? "a built-in rule"
            : existing.layer !== read.rule.layer
              ? `a rule of the wider layer ${existing.layer ?? "?"}`
              : "another rule in this text";
        diagnostics.push({
          rule_id: read.rule.rule_id,
          message: `rule "${read.rule.rule_id}" is already used by ${clash}; rule ids must be unique, rename one`,
        });
        continue;
      }
      rules.push(read.rule);
      texts.set(read.rule.rule_id, policy.text);
    }
  }

  const seen = new Set<string>();
  for (const id of disable) {
    const rule = rules.find((r) => r.rule_id === id);
    if (seen.has(id)) diagnostics.push({ rule_id: id, message: `"${id}" is listed twice in disable` });
    else if (!rule) {
      diagnostics.push({
        rule_id: id,
        message: `disable names "${id}", which is not a rule; check the spelling`,
      });
    } else if (rule.source !== "builtin" && rule.layer !== ownLayer) {
      diagnostics.push({
        rule_id: id,
        message: `disable names "${id}", a rule of the wider layer ${rule.layer ?? "?"}; a layer may not disable a rule of a wider one`,
      });
    } else if (rule.tier === "hard") {
      diagnostics.push({
        rule_id: id,
        message: `disable names "${id}", a hard rule; hard rules cannot be disabled`,
      });
    } else if (rule.source !== "builtin") {
      diagnostics.push({
        rule_id: id,
        message: `disable names "${id}", a rule of this text; remove the rule from the text instead`,
      });
    }
    seen.add(id);
  }

  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, rules, texts };
}
