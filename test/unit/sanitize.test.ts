import fc from "fast-check";
import {
  previewToolInput,
  redactSecrets,
  SECRET_KINDS,
  sanitizeLine,
  sanitizeText,
  stripControl,
  truncate,
} from "../../lambdas/core/sanitize";
import { INPUT_POSITIONS, SECRET_SAMPLES, TEXT_POSITIONS } from "../support/secret-samples";

// Fixtures are assembled from pieces so this file never holds a string a repository secret scanner flags.
const AWS_KEY_ID = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const AWS_SECRET = ["wJalrXUtnFEMI", "/K7MDENG/bPxRfiCYEXAMPLEKEY"].join("");
const GITHUB_CLASSIC = `${"gh"}p_${"a1B2".repeat(9)}`;
const GITHUB_FINE_GRAINED = `${"github"}_pat_${"11ABCDEFG0".repeat(3)}_xyz`;
const SLACK_BOT = `${"xo"}xb-123456789012-abcdefABCDEF`;
const SLACK_APP = `${"xa"}pp-1-A0123-456-abcdef`;
const PEM_BEGIN = `-----${"BEGIN"} RSA PRIVATE KEY-----`;
const PEM_END = `-----${"END"} RSA PRIVATE KEY-----`;
const PEM_BODY = ["MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi", "Z1BjP5CE/Wm/Rr500P"];

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding leftover control characters is the point.
const CONTROL_OTHER_THAN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("redactSecrets", () => {
  it.each([
    {
      kind: "aws_access_key",
      name: "an access key id in an export",
      input: `export KEY=${AWS_KEY_ID}`,
      expected: "export KEY=[REDACTED:aws_access_key]",
    },
    {
      kind: "aws_access_key",
      name: "a temporary (ASIA) key id",
      input: `aws sts ${AWS_KEY_ID.replace("AKIA", "ASIA")} done`,
      expected: "aws sts [REDACTED:aws_access_key] done",
    },
    {
      kind: "aws_secret_key",
      name: "a secret key in a credentials file",
      input: `aws_secret_access_key = ${AWS_SECRET}`,
      expected: "aws_secret_access_key = [REDACTED:aws_secret_key]",
    },
    {
      kind: "aws_secret_key",
      name: "a secret key in JSON",
      input: `{"SecretAccessKey":"${AWS_SECRET}"}`,
      expected: '{"SecretAccessKey":"[REDACTED:aws_secret_key]"}',
    },
    {
      kind: "aws_secret_key",
      name: "a bare secret key in prose",
      input: `leaked ${AWS_SECRET} in the log`,
      expected: "leaked [REDACTED:aws_secret_key] in the log",
    },
    {
      kind: "aws_secret_key",
      name: "a secret key in an environment variable",
      input: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET} aws s3 ls`,
      expected: "AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_key] aws s3 ls",
    },
    {
      kind: "github_token",
      name: "a classic token in a clone URL",
      input: `git clone https://${GITHUB_CLASSIC}@github.com/o/r`,
      expected: "git clone https://[REDACTED:github_token]@github.com/o/r",
    },
    {
      kind: "github_token",
      name: "a fine-grained token",
      input: `GITHUB_TOKEN=${GITHUB_FINE_GRAINED}`,
      expected: "GITHUB_TOKEN=[REDACTED:github_token]",
    },
    {
      kind: "slack_token",
      name: "a bot token",
      input: `token ${SLACK_BOT}`,
      expected: "token [REDACTED:slack_token]",
    },
    {
      kind: "slack_token",
      name: "an app token",
      input: `app ${SLACK_APP}.`,
      expected: "app [REDACTED:slack_token].",
    },
    {
      kind: "bearer_token",
      name: "a JWT in a curl header",
      input: "curl -H 'Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl' x",
      expected: "curl -H 'Authorization: Bearer [REDACTED:bearer_token]' x",
    },
    {
      kind: "bearer_token",
      name: "a lowercase bearer with a token",
      input: "authorization: bearer abc123DEF456",
      expected: "authorization: bearer [REDACTED:bearer_token]",
    },
    {
      kind: "private_key",
      name: "a PEM block with real newlines",
      input: `before\n${PEM_BEGIN}\n${PEM_BODY.join("\n")}\n${PEM_END}\nafter`,
      expected: "before\n[REDACTED:private_key]\nafter",
    },
    {
      kind: "private_key",
      name: "a PEM block with \n escapes inside JSON",
      input: `{"content":"${PEM_BEGIN}\\n${PEM_BODY.join("\\n")}\\n${PEM_END}\\n","path":"id_rsa"}`,
      expected: '{"content":"[REDACTED:private_key]\\n","path":"id_rsa"}',
    },
    {
      kind: "private_key",
      name: "a PEM block that never ends",
      input: `key: ${PEM_BEGIN.replace("RSA ", "OPENSSH ")}\n${PEM_BODY[0]}`,
      expected: "key: [REDACTED:private_key]",
    },
    {
      kind: "password",
      name: "a bare password= value",
      input: "mysql -u root password=hunter2 db",
      expected: "mysql -u root password=[REDACTED:password] db",
    },
    {
      kind: "password",
      name: "a JSON password field",
      input: '{"password":"hunter2"}',
      expected: '{"password":"[REDACTED:password]"}',
    },
    {
      kind: "password",
      name: "a prefixed key with a single-quoted value",
      input: "DB_PASSWORD='hunter 2'",
      expected: "DB_PASSWORD='[REDACTED:password]'",
    },
    {
      kind: "password",
      name: "a client_secret with a double-quoted value",
      input: 'client_secret: "abc"',
      expected: 'client_secret: "[REDACTED:password]"',
    },
    {
      kind: "password",
      name: "an API-KEY with a dash",
      input: "API-KEY=abc123",
      expected: "API-KEY=[REDACTED:password]",
    },
    {
      kind: "password",
      name: "an access_token in a query string",
      input: "x?access_token=abc&b=1",
      expected: "x?access_token=[REDACTED:password]&b=1",
    },
    {
      kind: "password",
      name: "a SECRET_KEY",
      input: "SECRET_KEY=django-insecure",
      expected: "SECRET_KEY=[REDACTED:password]",
    },
    {
      kind: "password",
      name: "a Go := assignment",
      input: 'token := "abc"',
      expected: 'token := "[REDACTED:password]"',
    },
    {
      kind: "password",
      name: "a quoted value that never closes",
      input: 'password="never closed\nnext',
      expected: 'password="[REDACTED:password]\nnext',
    },
    {
      kind: "password",
      name: "a value in escaped quotes inside JSON",
      input: '{"command":"mysql --password=\\"hun ter2\\" db"}',
      expected: '{"command":"mysql --password=\\"[REDACTED:password]\\" db"}',
    },
    {
      kind: "password",
      name: "values on lines of a JSON-escaped .env file",
      input: '{"content":"DB_PASSWORD=hunter2\\nAPI_KEY=xyz"}',
      expected: '{"content":"DB_PASSWORD=[REDACTED:password]\\nAPI_KEY=[REDACTED:password]"}',
    },
  ])("redacts $kind: $name", ({ input, expected }) => {
    // Act
    const redacted = redactSecrets(input);

    // Assess
    expect(redacted).toBe(expected);
  });

  it.each([
    { why: "an ordinary git command", input: "git push origin main" },
    {
      why: "a git commit SHA (40 hex characters)",
      input: "git show 3f786850e387550fdab836ed7e6dc881de23001b",
    },
    { why: "40 letters with no digit, slash or plus", input: "ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst" },
    { why: "41 characters of the AWS alphabet", input: `${AWS_SECRET}x` },
    { why: "a key that only starts with token", input: "tokens: 5" },
    { why: "a key that continues after token", input: "token_count=3" },
    { why: "an AWS prefix with too few characters", input: "AKIA1234567890" },
    { why: "an AWS-like id that goes on in capitals", input: `X${AWS_KEY_ID}Y` },
    { why: "the word Bearer on its own", input: "use a Bearer header" },
    { why: "bearer in prose", input: "the bearer instrument is valid" },
    { why: "a short bearer token", input: "Bearer abc1" },
    { why: "a comparison in code", input: "if (token == null) return;" },
    { why: "an arrow function in code", input: "const read = (token) => token;" },
    { why: "an empty quoted value", input: '{"password":""}' },
    { why: "a key with nothing after the separator", input: "password= " },
    { why: "a GitHub prefix with too few characters", input: "ghp_short" },
    { why: "a PEM header mentioned without its dashes", input: 'grep "BEGIN RSA PRIVATE KEY" id_rsa' },
    { why: "a public key block", input: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----" },
  ])("leaves $why alone", ({ input }) => {
    // Act
    const redacted = redactSecrets(input);

    // Assess
    expect(redacted).toBe(input);
  });

  it("marks a secret after a credential key with its specific kind, not as a password", () => {
    // Prepare
    const input = `{"token":"${GITHUB_CLASSIC}","secret_access_key":"${AWS_SECRET}"}`;

    // Act
    const redacted = redactSecrets(input);

    // Assess
    expect(redacted).toBe(
      '{"token":"[REDACTED:github_token]","secret_access_key":"[REDACTED:aws_secret_key]"}',
    );
  });

  it("does not redact an already redacted value again", () => {
    // Prepare
    const input = "password=[REDACTED:password] token: [REDACTED:slack_token]";

    // Act
    const redacted = redactSecrets(input);

    // Assess
    expect(redacted).toBe(input);
  });
});

describe("stripControl", () => {
  it.each([
    { what: "CSI colour codes", input: "\u001b[31mred\u001b[0m text", expected: "red text" },
    { what: "CSI cursor movement", input: "a\u001b[2Jb\u001b[10;20Hc", expected: "abc" },
    { what: "OSC ended by BEL", input: "\u001b]0;evil title\u0007shown", expected: "shown" },
    {
      what: "OSC ended by ESC \\",
      input: "\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\",
      expected: "link",
    },
    { what: "two-character escapes", input: "a\u001bcb\u001b(Bc\u001b7d", expected: "abcd" },
    { what: "a lone ESC", input: "a\u001b", expected: "a" },
    { what: "C0 controls and DEL", input: "a\u0000b\u0007c\u0008d\u007fe\rf", expected: "abcdef" },
    { what: "C1 controls", input: "a\u0085b\u009b31mc\u009d", expected: "ab31mc" },
    { what: "bidi overrides and isolates", input: "a\u202eb\u2066c\u2069d\u202ae", expected: "abcde" },
    { what: "bidi marks", input: "a\u200eb\u200fc\u061cd", expected: "abcd" },
    { what: "newlines and tabs by default", input: "a\nb\tc", expected: "abc" },
  ])("removes $what", ({ input, expected }) => {
    // Act
    const stripped = stripControl(input);

    // Assess
    expect(stripped).toBe(expected);
  });

  it("keeps newlines and tabs when asked, but not carriage returns", () => {
    // Act
    const stripped = stripControl("a\r\nb\tc\u001b[1m", { keepNewlines: true });

    // Assess
    expect(stripped).toBe("a\nb\tc");
  });

  it("replaces lone surrogates with U+FFFD and keeps surrogate pairs", () => {
    // Act
    const stripped = stripControl("a\ud800b\udc00c😀\udbff");

    // Assess
    expect(stripped).toBe("a\ufffdb\ufffdc😀\ufffd");
  });

  it("keeps ordinary unicode text", () => {
    // Prepare
    const input = "héllo wörld 日本語 😀 עברית";

    // Act
    const stripped = stripControl(input);

    // Assess
    expect(stripped).toBe(input);
  });
});

describe("truncate", () => {
  it.each([
    { why: "text shorter than max is unchanged", text: "abc", max: 5, expected: "abc" },
    { why: "text of exactly max is unchanged", text: "abcde", max: 5, expected: "abcde" },
    { why: "a cut ends with … counted in max", text: "abcdef", max: 5, expected: "abcd…" },
    { why: "max 1 leaves only …", text: "abc", max: 1, expected: "…" },
    { why: "max 0 leaves nothing", text: "abc", max: 0, expected: "" },
    { why: "a cut never splits a surrogate pair", text: "ab😀cd", max: 4, expected: "ab…" },
    { why: "a cut just after a surrogate pair keeps it", text: "ab😀cd", max: 5, expected: "ab😀…" },
    { why: "an emoji exactly at max is kept whole", text: "ab😀", max: 4, expected: "ab😀" },
  ])("$why", ({ text, max, expected }) => {
    // Act
    const cut = truncate(text, max);

    // Assess
    expect(cut).toBe(expected);
    expect(cut.length).toBeLessThanOrEqual(max);
  });
});

describe("sanitizeText", () => {
  it("redacts, strips controls but keeps newlines, then cuts", () => {
    // Prepare
    const reason = `\u001b[31mNo.\u001b[0m\nThe key ${AWS_KEY_ID} leaked\u202e. ${"x".repeat(100)}`;

    // Act
    const sanitized = sanitizeText(reason, 40);

    // Assess
    expect(sanitized).toBe("No.\nThe key [REDACTED:aws_access_key] l…");
  });

  it("redacts a secret that control characters split apart", () => {
    // Prepare
    const reason = `key ${AWS_KEY_ID.slice(0, 6)}\u001b[0m\u200e${AWS_KEY_ID.slice(6)}`;

    // Act
    const sanitized = sanitizeText(reason, 2000);

    // Assess
    expect(sanitized).toBe("key [REDACTED:aws_access_key]");
  });

  it("never leaves a control character other than newline and tab, nor exceeds max", () => {
    // Prepare: random text salted with the pieces the sanitizer has to deal with.
    const fragment = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string({ unit: "binary-ascii" }),
      fc.constantFrom(
        "\u001b[31m",
        "\u001b]0;t\u0007",
        "\u009b",
        "\u202e",
        "\ud800",
        "\udc00",
        "😀",
        "\n",
        "\t",
        "\r",
        "password=",
        "Bearer ",
        AWS_KEY_ID,
        PEM_BEGIN,
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fragment).map((parts) => parts.join("")),
        fc.nat(300),
        (text, max) => {
          // Act
          const sanitized = sanitizeText(text, max);

          // Assess
          expect(sanitized.length).toBeLessThanOrEqual(max);
          expect(sanitized).not.toMatch(CONTROL_OTHER_THAN_LINES);
          expect(sanitized).not.toMatch(LONE_SURROGATE);
        },
      ),
    );
  });
});

describe("previewToolInput", () => {
  it("writes the input as JSON", () => {
    // Act
    const preview = previewToolInput({ command: "ls -la", timeout: 5 });

    // Assess
    expect(preview).toBe('{"command":"ls -la","timeout":5}');
  });

  it("redacts secrets in nested fields", () => {
    // Prepare
    const input = {
      env: { DB_PASSWORD: "hunter2", tokens: 5 },
      headers: [{ Authorization: "Bearer abc123DEF456ghi" }],
      files: { id_rsa: `${PEM_BEGIN}\n${PEM_BODY.join("\n")}\n${PEM_END}\n` },
    };

    // Act
    const preview = previewToolInput(input);

    // Assess
    expect(preview).toBe(
      '{"env":{"DB_PASSWORD":"[REDACTED:password]","tokens":5},' +
        '"headers":[{"Authorization":"Bearer [REDACTED:bearer_token]"}],' +
        '"files":{"id_rsa":"[REDACTED:private_key]\\n"}}',
    );
  });

  it("keeps a huge input to 512 characters and redacts a secret near the cut in full", () => {
    // Prepare
    const input = { command: `echo ${"a".repeat(480)} ${GITHUB_CLASSIC} ${"b".repeat(100_000)}` };

    // Act
    const preview = previewToolInput(input);

    // Assess
    expect(preview.length).toBeLessThanOrEqual(512);
    expect(preview.endsWith("…")).toBe(true);
    expect(preview).not.toContain(GITHUB_CLASSIC.slice(0, 8));
  });

  it("never shows a raw escape, even for ANSI sequences and C1 controls in the input", () => {
    // Prepare
    const input = { command: "printf '\u001b[31mred\u001b]0;title\u0007'", note: "a\u009bb\u202ec\u007f" };

    // Act
    const preview = previewToolInput(input);

    // Assess
    expect(preview).not.toMatch(CONTROL_OTHER_THAN_LINES);
    expect(preview).not.toMatch(/[\n\t\u202e]/);
    expect(preview).toBe('{"command":"printf \'\\u001b[31mred\\u001b]0;title\\u0007\'","note":"abc"}');
  });

  it("never exceeds 512 characters nor shows a control character, whatever the input", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (input) => {
        // Act
        const preview = previewToolInput(input);

        // Assess
        expect(preview.length).toBeLessThanOrEqual(512);
        expect(preview).not.toMatch(CONTROL_OTHER_THAN_LINES);
        expect(preview).not.toMatch(/[\n\t]/);
      }),
    );
  });

  it.each([
    {
      what: "a cycle",
      input: (() => {
        const node: { self?: unknown } = {};
        node.self = node;
        return node;
      })(),
    },
    { what: "a bigint", input: { n: 1n } },
    { what: "undefined", input: undefined },
    { what: "a function", input: () => 1 },
    {
      what: "a throwing toJSON",
      input: {
        toJSON: () => {
          throw new Error("boom");
        },
      },
    },
  ])("gives a placeholder instead of throwing for $what", ({ input }) => {
    // Act
    const preview = previewToolInput(input);

    // Assess
    expect(preview).toBe("[unprintable input]");
  });
});

describe("secrets in every position", () => {
  const kinds = SECRET_KINDS.map((kind) => [kind, SECRET_SAMPLES[kind]] as const);
  const textCases = kinds.flatMap(([kind, sample]) =>
    Object.entries(TEXT_POSITIONS).map(([position, place]) => ({
      kind,
      position,
      sample,
      text: place(sample.text),
    })),
  );

  it.each(textCases)("sanitizeText redacts $kind $position", ({ text, sample }) => {
    // Act
    const sanitized = sanitizeText(text, 4000);

    // Assess
    expect(sanitized).toContain("[REDACTED:");
    expect(sanitized).not.toContain(sample.secret);
  });

  it.each(textCases)("sanitizeLine redacts $kind $position", ({ text, sample }) => {
    // Act
    const sanitized = sanitizeLine(text, 4000);

    // Assess
    expect(sanitized).toContain("[REDACTED:");
    expect(sanitized).not.toContain(sample.secret);
    expect(sanitized).not.toMatch(/[\n\t]/);
  });

  it.each(
    textCases.flatMap((c) =>
      Object.entries(INPUT_POSITIONS).map(([where, build]) => ({ ...c, where, input: build(c.text) })),
    ),
  )("previewToolInput redacts $kind $position in $where", ({ input, sample }) => {
    // Act
    const preview = previewToolInput(input);

    // Assess
    expect(preview).toContain("[REDACTED:");
    expect(preview).not.toContain(sample.secret);
  });

  it("redacts the keys of a credentials file written with Write, line by line", () => {
    // Prepare: the repro, an AWS key and a GitHub token each starting a line of the content.
    const content = `[default]\n${SECRET_SAMPLES.aws_access_key.text}\n${SECRET_SAMPLES.github_token.text}\n`;

    // Act
    const preview = previewToolInput({ file_path: ".env", content });

    // Assess
    expect(preview).toBe(
      '{"file_path":".env","content":"[default]\\n[REDACTED:aws_access_key]\\n[REDACTED:github_token]\\n"}',
    );
  });

  it("redacts every value under a credential key, numbers and nested values included", () => {
    // Act
    const preview = previewToolInput({ env: { DB_PASSWORD: 1234, apiKey: ["a", { v: "b" }], pin: 1234 } });

    // Assess
    expect(preview).toBe(
      '{"env":{"DB_PASSWORD":"[REDACTED:password]","apiKey":["[REDACTED:password]",{"v":"[REDACTED:password]"}],"pin":1234}}',
    );
  });

  it("redacts a private key split over the elements of an array, and what follows stays", () => {
    // Prepare
    const lines = ["before", ...SECRET_SAMPLES.private_key.text.split("\n"), "after"];

    // Act
    const preview = previewToolInput({ lines });

    // Assess
    expect(preview).toBe(
      '{"lines":["before","[REDACTED:private_key]","[REDACTED:private_key]","[REDACTED:private_key]","after"]}',
    );
  });

  it("keeps both entries when two keys redact to the same text", () => {
    // Prepare
    const other = SECRET_SAMPLES.aws_access_key.text.replace("Z7", "Q8");

    // Act
    const preview = previewToolInput({ [SECRET_SAMPLES.aws_access_key.text]: "rm -rf /", [other]: "ls" });

    // Assess
    expect(preview).toBe('{"[REDACTED:aws_access_key]":"rm -rf /","[REDACTED:aws_access_key]#2":"ls"}');
  });

  it("never shows a secret placed anywhere in a generated input", () => {
    // Prepare: any JSON with one sample secret spliced into some string or key, after any prefix.
    const kind = fc.constantFrom(...SECRET_KINDS);
    const prefix = fc.constantFrom("", "\n", "\t", "x_", "\u001b[0m", "\\n", " ", "\u202e");
    const suffix = fc.constantFrom("", "\n", "_suffix", '"', ".", "\u0000");
    const placed = fc
      .tuple(kind, prefix, suffix)
      .map(([k, p, s]) => ({ kind: k, text: `${p}${SECRET_SAMPLES[k].text}${s}` }));
    const input = placed.chain(({ kind: k, text }) =>
      fc
        .letrec((tie) => ({
          node: fc.oneof(
            { depthSize: "small", withCrossShrink: true },
            fc.constant(text),
            fc.string({ maxLength: 5 }),
            fc.array(tie("node"), { maxLength: 3 }),
            fc.dictionary(fc.oneof(fc.constant(text), fc.string({ maxLength: 5 })), tie("node"), {
              maxKeys: 3,
            }),
          ),
        }))
        .node.map((node) => ({ kind: k, input: { at: text, value: node } })),
    );
    fc.assert(
      fc.property(input, ({ kind: k, input: generated }) => {
        // Act
        const preview = previewToolInput(generated);

        // Assess
        expect(preview).not.toContain(SECRET_SAMPLES[k].secret);
      }),
    );
  });
});
