import type { SecretKind } from "../../lambdas/core/sanitize";

/** One secret of a kind: the text that carries it, and the part of it that must never be seen again. */
export interface SecretSample {
  readonly text: string;
  readonly secret: string;
}

// Assembled from pieces so that the secret scanners of code hosts do not flag this file.
const PEM_BODY = ["MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi", "Z1BjP5CE", "Wm", "Rr500P"].join("");
const BEARER = ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJhZ2VudCJ9", "c2ln_bmF0dXJl"].join(".");

/**
 * A sample of every kind the sanitizer knows; `satisfies` makes a new kind fail to compile here
 * until it has a sample, so the leak tests cover it.
 */
export const SECRET_SAMPLES = {
  private_key: {
    text: [`-----${"BEGIN"} RSA PRIVATE KEY-----`, PEM_BODY, `-----${"END"} RSA PRIVATE KEY-----`].join("\n"),
    secret: PEM_BODY,
  },
  aws_access_key: {
    text: ["AKIA", "Z7QWERTYUIOPASDF"].join(""),
    secret: ["AKIA", "Z7QWERTYUIOPASDF"].join(""),
  },
  aws_secret_key: {
    text: ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/"),
    secret: ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/"),
  },
  github_token: {
    text: ["gh", "p_", "a1B2".repeat(9)].join(""),
    secret: ["gh", "p_", "a1B2".repeat(9)].join(""),
  },
  slack_token: {
    text: ["xo", "xb-", "123456789012-abcdefABCDEF"].join(""),
    secret: "123456789012-abcdefABCDEF",
  },
  bearer_token: { text: `Bearer ${BEARER}`, secret: BEARER },
  password: { text: "password=hunter2-Zq9x", secret: "hunter2-Zq9x" },
} as const satisfies Record<SecretKind, SecretSample>;

/** Where a secret can sit in free text: each position once broke a word-boundary pattern. */
export const TEXT_POSITIONS: Readonly<Record<string, (secret: string) => string>> = {
  alone: (s) => s,
  "at the start of a line": (s) => `[default]\n${s}\nregion = eu-west-1`,
  "after a tab": (s) => `key:\t${s}`,
  "before _suffix": (s) => `${s}_suffix`,
  "after a KEY_ prefix": (s) => `MY_KEY_${s}`,
  "after a control character": (s) => `X\u0001${s}`,
  "after an equals sign": (s) => `SOME_VALUE=${s}`,
  "after a \\n escape in JSON text": (s) => JSON.stringify({ content: `first line\n${s}\n` }),
};

/** Where a secret can sit in a tool input: in strings and keys, nested in every container. */
export const INPUT_POSITIONS: Readonly<Record<string, (text: string) => Record<string, unknown>>> = {
  "a string value": (t) => ({ content: t }),
  "a nested string": (t) => ({ a: { b: [{ c: [t] }] } }),
  "a key": (t) => ({ [t]: 1 }),
  "a nested key": (t) => ({ env: [{ [t]: "x" }] }),
  "an array of lines": (t) => ({ lines: t.split("\n") }),
};

/** Every secret a leak test must never find, with the kind it belongs to. */
export const ALL_SECRETS: readonly { readonly kind: SecretKind; readonly secret: string }[] = Object.entries(
  SECRET_SAMPLES,
).map(([kind, sample]) => ({ kind: kind as SecretKind, secret: sample.secret }));
