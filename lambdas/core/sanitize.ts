import { wellFormed } from "./well-formed";

/** Every kind of secret the scanner knows; a redaction marker names one of them. */
export const SECRET_KINDS = [
  "private_key",
  "aws_access_key",
  "aws_secret_key",
  "github_token",
  "slack_token",
  "bearer_token",
  "password",
] as const;

/** What a redaction marker says was removed. */
export type SecretKind = (typeof SECRET_KINDS)[number];

/** One kind of secret: a global pattern and how to write a match back with the secret replaced. */
interface SecretRule {
  readonly kind: SecretKind;
  readonly pattern: RegExp;
  /** Writes the match back; by default the whole match becomes the marker. */
  readonly render?: (match: RegExpExecArray, marker: string) => string;
}

const REDACTED_PREFIX = "[REDACTED:";

/** Key names whose value is a credential; the key must end with one of these words. */
const CREDENTIAL_KEY =
  "(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|secret[_-]?key)";
/** The quote that may close a key: plain, or escaped when the text is itself inside a JSON string. */
const KEY_QUOTE = String.raw`(?:\\?["'])?`;
/** `=`, `:` or `:=`, but not `==` or `=>`, so comparisons and arrow functions in code are not taken for pairs. */
const PAIR_SEPARATOR = String.raw`[ \t]*(?::=|:(?!=)|=(?![=>]))[ \t]*`;
const PAIR_VALUE = [
  // A double-quoted value with JSON-style escapes, as in `"password":"hunter2"`.
  String.raw`"(?<dq>(?:[^"\\\n]|\\.)+)"`,
  // A value in escaped quotes, as in a shell command held in a JSON string: `--password=\"hunter2\"`.
  String.raw`\\"(?<eq>(?:(?!\\")[^"\n])+)\\"`,
  // A single-quoted value.
  String.raw`'(?<sq>[^'\n]+)'`,
  // A quoted value that never closes, up to the end of the line (or of the JSON string).
  String.raw`(?<open>\\?["'])(?<unclosed>[^"'\\\n]+)`,
  // A bare value; it stops at whitespace, quotes, a backslash (so a JSON `\n` escape ends it) and the
  // characters that end a value in URLs, shells and JSON.
  String.raw`(?<bare>[^\s"'\\&;,}=][^\s"'\\&;,}]*)`,
].join("|");

/**
 * Every kind of secret, specific kinds first so that a value is marked with the most telling kind.
 * No pattern leans on `\b`: `_` is a word character, so `\b` misses a key in `KEY_AKIA…` or
 * `AKIA…_suffix`. Distinctive prefixes are found wherever they start; only a character that would
 * make the match part of a longer token stops it.
 */
const SECRET_RULES: readonly SecretRule[] = [
  {
    // PEM private key blocks, across real newlines or `\n` escapes; a block that never ends runs to the end.
    kind: "private_key",
    pattern:
      /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----|$)/g,
  },
  {
    // AWS access key ids, long-term (AKIA) and temporary (ASIA) alike, wherever they start; one that
    // goes on in capitals or digits is part of a longer word and not a key id.
    kind: "aws_access_key",
    pattern: /(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])/g,
  },
  {
    // A 40-character AWS secret access key written after its key name, as in `~/.aws/credentials`.
    kind: "aws_secret_key",
    pattern:
      /(?<head>secret[_-]?access[_-]?key(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    render: (match, marker) => `${match.groups?.head ?? ""}${marker}`,
  },
  {
    // A bare 40-character AWS secret access key: the AWS alphabet mixing upper and lower case with a
    // digit, "/" or "+". Hex digests (git SHAs) and plain words lack that mix and stay readable. It may
    // follow "=" (an assignment), but not be followed by one, which would make it part of longer base64.
    kind: "aws_secret_key",
    pattern:
      /(?<=^|[^A-Za-z0-9/+]|\\[nrtbf])(?=[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))(?=[a-z0-9/+]{0,39}[A-Z])(?=[A-Z0-9/+]{0,39}[a-z])(?=[A-Za-z]{0,39}[0-9/+])[A-Za-z0-9/+]{40}/g,
  },
  {
    // GitHub classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained personal access tokens; the
    // prefixes are distinctive enough to be found wherever they start.
    kind: "github_token",
    pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
  },
  {
    // Slack bot, user and app tokens, found wherever they start like GitHub's.
    kind: "slack_token",
    pattern: /(?:xox[abposr]-|xapp-)[A-Za-z0-9-]{10,}/g,
  },
  {
    // The credential after `Bearer `, wherever the word starts; only lowercase letters is prose
    // ("bearer instrument"), not a token.
    kind: "bearer_token",
    pattern: /(?<head>bearer[ \t]+)(?<token>[A-Za-z0-9._~+/=-]{8,})/gi,
    render: (match, marker) =>
      /^[a-z]+$/.test(match.groups?.token ?? "") ? match[0] : `${match.groups?.head ?? ""}${marker}`,
  },
  {
    // `key=value` and `"key": "value"` pairs whose key names a credential; only the value is replaced.
    kind: "password",
    pattern: new RegExp(`(?<head>${CREDENTIAL_KEY}${KEY_QUOTE}${PAIR_SEPARATOR})(?:${PAIR_VALUE})`, "gi"),
    render: renderPair,
  },
];

/** Replaces the value of a credential pair, keeping its quotes, unless an earlier rule already did. */
function renderPair(match: RegExpExecArray, marker: string): string {
  const groups = match.groups ?? {};
  const head = groups.head ?? "";
  let open = "";
  let close = "";
  let value = groups.unclosed ?? groups.bare ?? "";
  if (groups.dq !== undefined) {
    [open, close, value] = ['"', '"', groups.dq];
  } else if (groups.eq !== undefined) {
    [open, close, value] = ['\\"', '\\"', groups.eq];
  } else if (groups.sq !== undefined) {
    [open, close, value] = ["'", "'", groups.sq];
  } else {
    open = groups.open ?? "";
  }
  if (value.startsWith(REDACTED_PREFIX)) {
    return match[0];
  }
  return `${head}${open}${marker}${close}`;
}

/** Runs one rule over the text, rebuilding it from the untouched stretches and the rendered matches. */
function applyRule(text: string, rule: SecretRule): string {
  const marker = `${REDACTED_PREFIX}${rule.kind}]`;
  let result = "";
  let copiedUpTo = 0;
  for (const match of text.matchAll(rule.pattern)) {
    result += text.slice(copiedUpTo, match.index);
    result += rule.render ? rule.render(match, marker) : marker;
    copiedUpTo = match.index + match[0].length;
  }
  return result + text.slice(copiedUpTo);
}

/**
 * Replaces every secret the scanner recognizes with `[REDACTED:<kind>]`: PEM private keys, AWS access key
 * ids and secret keys, GitHub tokens, Slack tokens, bearer tokens and `password=`-style pairs. Where the
 * secret follows a key or the word `Bearer`, the key and separator are kept and only the secret replaced.
 */
export function redactSecrets(text: string): string {
  return SECRET_RULES.reduce(applyRule, text);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the purpose.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])/g;
// Bidi overrides, embeddings, isolates and marks, which can make text display differently from what it is.
const BIDI_CONTROLS = String.raw`\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069`;
const CONTROLS_EXCEPT_LINES = new RegExp(String.raw`[\x00-\x08\x0b-\x1f\x7f-\x9f${BIDI_CONTROLS}]`, "g");
const ALL_CONTROLS = new RegExp(String.raw`[\x00-\x1f\x7f-\x9f${BIDI_CONTROLS}]`, "g");

/**
 * Removes what could make text display differently from what it is: ANSI escape sequences (CSI, OSC and
 * other `ESC` escapes), then every remaining C0 control, DEL, C1 control and Unicode bidi control. With
 * `keepNewlines`, `\n` and `\t` stay. Lone UTF-16 surrogates become U+FFFD.
 */
export function stripControl(text: string, options: { keepNewlines?: boolean } = {}): string {
  const controls = options.keepNewlines ? CONTROLS_EXCEPT_LINES : ALL_CONTROLS;
  return wellFormed(text).replace(ANSI_ESCAPE, "").replace(controls, "");
}

/**
 * At most `max` UTF-16 code units of `text`; when cut, the result ends with `…` (counted in `max`) and
 * never ends inside a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  if (!(max >= 1)) {
    return "";
  }
  let end = Math.floor(max) - 1;
  const lastKept = text.charCodeAt(end - 1);
  if (end > 0 && lastKept >= 0xd800 && lastKept <= 0xdbff) {
    end -= 1;
  }
  return `${text.slice(0, end)}…`;
}

/**
 * Redacts secrets on both sides of stripping controls: after, so a secret split by an escape sequence is
 * still recognized; before, so a control that kept a secret apart from the text around it (`X\x01AKIA…`)
 * cannot hide it by vanishing.
 */
function redactAroundControls(text: string, keepNewlines: boolean): string {
  return redactSecrets(stripControl(redactSecrets(text), { keepNewlines }));
}

/**
 * Free text made safe to store and show (deny reasons): control characters and escapes stripped with
 * newlines and tabs kept, secrets redacted, then cut to `max` UTF-16 code units.
 */
export function sanitizeText(text: string, max: number): string {
  return truncate(redactAroundControls(text, true), max);
}

/**
 * Free text kept on one line (tool names, scopes): every control character and escape stripped, newlines
 * and tabs included, secrets redacted, then cut to `max` UTF-16 code units (by default not cut, for text
 * whose own length limit is checked afterwards).
 */
export function sanitizeLine(text: string, max = Number.POSITIVE_INFINITY): string {
  return truncate(redactAroundControls(text, false), max);
}

/** A key whose value is a credential whatever it looks like: `password`, `DB_PASSWORD`, `apiKey`, `client_secret`. */
const CREDENTIAL_KEY_NAME = new RegExp(`${CREDENTIAL_KEY}$`, "i");
const PEM_BEGIN = /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/g;
const PEM_END = /-----END (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/g;
const CREDENTIAL_MARKER = `${REDACTED_PREFIX}password]`;
const PRIVATE_KEY_MARKER = `${REDACTED_PREFIX}private_key]`;
// The controls JSON.stringify writes as they are (DEL, C1, bidi); it escapes C0 controls visibly.
const UNESCAPED_BY_JSON = new RegExp(String.raw`[\x7f-\x9f${BIDI_CONTROLS}]`, "g");

/**
 * One decoded string of a tool input, for a JSON preview. With a secret in it: controls stripped and the
 * secret redacted. Without: only the controls JSON would write raw are dropped, so the escapes JSON shows
 * (`\u001b[31m`, `\r`) stay visible to an approver judging what the input does.
 */
function previewString(text: string): string {
  const stripped = stripControl(text, { keepNewlines: true });
  const redacted = redactAroundControls(text, true);
  return redacted === stripped ? wellFormed(text).replace(UNESCAPED_BY_JSON, "") : redacted;
}

/** Whether the text opens a PEM private key block that it does not close. */
function opensPemBlock(text: string): boolean {
  const begin = [...text.matchAll(PEM_BEGIN)].at(-1)?.index ?? -1;
  const end = [...text.matchAll(PEM_END)].at(-1)?.index ?? -1;
  return begin > end;
}

/**
 * The strings of an array, where a private key split over elements (one line each) is redacted from the
 * element that opens it to the one that closes it.
 */
function previewArray(items: readonly unknown[]): unknown[] {
  let insideKey = false;
  return items.map((item) => {
    if (typeof item !== "string") return previewNode(item, false);
    const text = stripControl(item, { keepNewlines: true });
    if (insideKey) {
      const end = [...text.matchAll(PEM_END)][0];
      if (end === undefined) return PRIVATE_KEY_MARKER;
      insideKey = false;
      return `${PRIVATE_KEY_MARKER}${previewString(text.slice(end.index + end[0].length))}`;
    }
    insideKey = opensPemBlock(text);
    return previewString(item);
  });
}

/**
 * One node of a tool input made safe to preview, keys included, wherever it is nested. Values under a
 * credential key (`"password": "hunter2"`, `{"DB_PASSWORD": 1234}`) are redacted whatever they look like;
 * what a rule already marked keeps its more telling kind. Keys that become equal are told apart with
 * `#2`, `#3`, … so no entry is hidden from the approver.
 */
function previewNode(value: unknown, credential: boolean): unknown {
  if (typeof value === "string") {
    const safe = previewString(value);
    return credential && safe !== "" && !safe.startsWith(REDACTED_PREFIX) ? CREDENTIAL_MARKER : safe;
  }
  if (typeof value === "number") return credential ? CREDENTIAL_MARKER : value;
  if (Array.isArray(value)) return credential ? value.map((v) => previewNode(v, true)) : previewArray(value);
  if (typeof value !== "object" || value === null) return value;
  const entries: [string, unknown][] = [];
  const taken = new Set<string>();
  for (const [rawKey, inner] of Object.entries(value)) {
    const safeKey = previewString(rawKey);
    let key = safeKey;
    for (let n = 2; taken.has(key); n += 1) key = `${safeKey}#${n}`;
    taken.add(key);
    entries.push([key, previewNode(inner, credential || CREDENTIAL_KEY_NAME.test(rawKey))]);
  }
  // fromEntries defines each key, so a "__proto__" key stays plain data.
  return Object.fromEntries(entries);
}

const TOOL_INPUT_PREVIEW_MAX = 512;
const UNPRINTABLE_INPUT = "[unprintable input]";

/**
 * A one-line preview of a tool input for approvers, cut to 512 UTF-16 code units. Every string and key is
 * scanned as decoded text, wherever it is nested, and the preview is written as JSON from the redacted
 * copy: scanning JSON text instead would miss a secret that starts a line, since there it follows `\n`.
 * Redaction happens before the cut, so a secret is never half shown. Never throws: an input that is not
 * JSON data (a cycle, a bigint, `undefined`) gives `[unprintable input]`.
 */
export function previewToolInput(toolInput: unknown): string {
  try {
    const json = JSON.stringify(toolInput);
    if (typeof json !== "string") return UNPRINTABLE_INPUT;
    // Re-read as plain data, so what is previewed is exactly what JSON holds (toJSON applied).
    return truncate(JSON.stringify(previewNode(JSON.parse(json), false)), TOOL_INPUT_PREVIEW_MAX);
  } catch {
    return UNPRINTABLE_INPUT;
  }
}
