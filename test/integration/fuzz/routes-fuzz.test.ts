import fc from "fast-check";
import { errorCodesOf } from "../../../contracts/openapi";
import { OPERATIONS } from "../../../contracts/operations";
import { wellFormed } from "../../../lambdas/core/well-formed";
import { ROUTES } from "../../../lambdas/routes";
import {
  createTask,
  HARNESS_SETTINGS,
  type Harness,
  requestApproval,
  startHarness,
} from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, OWNER } from "../../support/gates-client";
import { postSigned } from "../slack/slack-fakes";

/** Runs per route; FUZZ_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

const DOCUMENTED_4XX = new Set([
  "INVALID_JSON",
  "VALIDATION_ERROR",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "TASK_NOT_FOUND",
  "REQUEST_NOT_FOUND",
  "GRANT_NOT_FOUND",
  "CALL_NOT_FOUND",
  "TASK_EXISTS",
  "REQUEST_ALREADY_DECIDED",
  "TASK_NOT_ACTIVE",
  "PAYLOAD_TOO_LARGE",
  "POLICY_INVALID",
  "RATE_LIMITED",
  "SLACK_ALREADY_LINKED",
  "FORBIDDEN_BY_SETTINGS",
  "SEPARATION_OF_DUTIES",
  "REAUTHENTICATION_REQUIRED",
  "LOCK_NOT_FOUND",
  "ALREADY_VOTED",
  "LOCKED",
  "SETTINGS_INVALID",
]);

/** Field names the schemas know, so generated bodies get past "unknown field" and reach deeper checks. */
const FIELDS = [
  "task_id",
  "owner",
  "approvers",
  "repo",
  "description",
  "read_only",
  "approval_timeout_s",
  "initial_grants",
  "approval_gate_cap",
  "max_tool_calls",
  "tool_name",
  "tool_input",
  "tool_use_id",
  "track_outcome",
  "request_id",
  "scope",
  "reason",
  "status",
  "summary",
  "policies",
  "disable",
  "code",
  "payload",
  "event_seq",
  "outcome",
  "duration_ms",
  "result_sha256",
  "result_is_error",
  "error",
  "allowed_owners",
  "owner_approves",
  "pre_grantable_scopes",
  "allowed_agents",
  "approvals_required",
  "target",
  "expires_in_s",
  "cancel_pending",
  "__proto__",
  "constructor",
];

const hostileString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "__proto__",
    "../..",
    "%2F",
    "a/b",
    "\u0000",
    "\ud800",
    "x".repeat(300),
    "01JAAAAAAAAAAAAAAAAAAAAAAA",
  ),
);
const hostileValue = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 53, Number.MAX_VALUE, true, false, null),
  fc.jsonValue({ maxDepth: 12 }),
  fc.array(hostileString, { maxLength: 30 }),
);
/** JSON text nesting one kind of container (or both, alternating) `depth` levels around a value. */
function nestedJson(depth: number, kind: "array" | "object" | "both", inner: string): string {
  const open = { array: "[", object: '{"k":', both: '[{"k":' }[kind];
  const close = { array: "]", object: "}", both: "}]" }[kind];
  const levels = kind === "both" ? Math.ceil(depth / 2) : depth;
  return `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
}

/** Text, since no JSON.stringify could write what it nests: every container, around the limit and far past it. */
const deepJson = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 60, max: 70 }), fc.integer({ min: 1_000, max: 20_000 })),
    kind: fc.constantFrom("array" as const, "object" as const, "both" as const),
    inner: fc.constantFrom("1", "[]", "{}", '"x"', "null"),
  })
  .map(({ depth, kind, inner }) => nestedJson(depth, kind, inner));

/** Bodies that nest deep inside a field, a tool input, or at the top. */
const deepBody = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), deepJson).map(([field, deep]) => `{${JSON.stringify(field)}:${deep}}`),
  deepJson.map((deep) => `{"tool_name":"Bash","tool_input":{"command":"ls","x":${deep}}}`),
  deepJson,
);

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 6 }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.string({ maxLength: 30 }),
  deepBody,
);
const token = fc.oneof(
  fc.constantFrom(
    AGENT,
    OWNER,
    APPROVER,
    ADMIN,
    "local:agent:",
    "local:human:a b",
    "Basic x",
    "local:admin:💥",
  ),
  hostileString,
);
const query = fc.dictionary(
  fc.constantFrom("wait_s", "limit", "next_token", "repo", "after_seq", "x"),
  fc.oneof(hostileString, fc.integer().map(String)),
  { maxKeys: 3 },
);

let h: Harness;
let taskId = "";
let requestId = "";
beforeAll(async () => {
  h = await startHarness();
  taskId = await createTask(h.client);
  requestId = await requestApproval(h.client, taskId);
});
afterAll(() => h.stop());

/** A path segment: raw escapes (even malformed ones such as a lone-surrogate "%ED%A0%80") pass as they are. */
type Param = string | { raw: string };
const encode = (p: Param) => (typeof p === "string" ? encodeURIComponent(wellFormed(p)) : p.raw);

function fill(path: string, params: { task: Param; request: Param; repo: Param }): string {
  return path
    .replace("{task_id}", encode(params.task))
    .replace("{request_id}", encode(params.request))
    .replace("{lock_id}", encode(params.request))
    .replace("{repo_id}", encode(params.repo));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the purpose.
const HEADER_CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** Header values are bytes without control characters (the client refuses them); anything else a raw client can send. */
const headerSafe = (t: string) =>
  Buffer.from(`Bearer ${t}`, "utf8").toString("latin1").replace(HEADER_CONTROLS, "");

describe("hostile input on every route", () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s never answers 5xx, and every error is a documented code",
    async (_name, route) => {
      const param: fc.Arbitrary<Param> = fc.oneof(
        hostileString,
        fc.constant(taskId),
        fc.constant(requestId),
        fc.constant("acme/app"),
        fc.constantFrom("*", "acme/*", "Acme/App.git", "acme/**", "*/app"),
        fc.constantFrom(
          { raw: "%ED%A0%80" },
          { raw: "%" },
          { raw: "%zz" },
          { raw: "a%2Fb%2Fc" },
          { raw: "%00" },
        ),
      );
      await fc.assert(
        fc.asyncProperty(body, token, query, param, param, param, async (b, t, q, task, request, repo) => {
          const qs = new URLSearchParams(q as Record<string, string>).toString();
          const path = `${fill(route.path, { task, request, repo })}${qs ? `?${qs.replace("wait_s=", "wait_s=0&x_=")}` : ""}`;
          const res = await fetch(`${h.plane.url}${path}`, {
            method: route.method,
            // Headers are bytes: send the token's UTF-8 bytes as a raw client would.
            headers: {
              authorization: headerSafe(t),
              "content-type": "application/json",
            },
            ...(route.method === "GET" ? {} : { body: typeof b === "string" ? b : JSON.stringify(b) }),
          });
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${res.status} for ${route.method} ${path}: ${text}`);
          if (res.status >= 400) {
            const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "";
            if (!DOCUMENTED_4XX.has(code)) throw new Error(`undocumented code ${code} for ${path}`);
            // A path the manifest does not match is NOT_FOUND; any other code is one the route's OpenAPI entry lists.
            const listed: readonly string[] = errorCodesOf(route, OPERATIONS[route.operation]);
            if (code !== "NOT_FOUND" && !listed.includes(code))
              throw new Error(`${code} for ${route.method} ${route.path} is not in its OpenAPI responses`);
          }
          expect(res.headers.get("x-request-id")).toBeTruthy();
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );

  // Unsigned, Slack's routes stop at the signature; signed, hostile forms must still never answer 5xx.
  it.each(ROUTES.filter((r) => r.group === "slack").map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s, signed, never answers 5xx to a hostile form",
    async (_name, route) => {
      const value = fc.oneof(
        hostileString,
        fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
        // Form-encoding triples the size, so Slack's deep payloads stay under the body limit.
        deepJson
          .filter((deep) => deep.length < 60_000)
          .map((deep) => `{"type":"block_actions","view":${deep}}`),
      );
      const slackPayload = fc.record(
        {
          type: fc.constantFrom("block_actions", "view_submission", "shortcut", "x"),
          team: fc.oneof(fc.record({ id: hostileString }), hostileValue),
          user: fc.oneof(fc.record({ id: fc.constantFrom("U1", "U2") }), hostileValue),
          trigger_id: hostileString,
          response_url: fc.constantFrom("https://hooks.slack.com/x", "http://169.254.169.254/", "nope"),
          actions: fc.array(
            fc.record({
              action_id: fc.constantFrom("approve", "approve_scope", "deny", "x"),
              value: fc.oneof(hostileString, fc.constant(`${taskId}|${requestId}`)),
              selected_option: fc.record({
                value: fc.constant(`${taskId}|${requestId}|`).chain((p) => hostileString.map((s) => p + s)),
              }),
            }),
            { maxLength: 2 },
          ),
          view: hostileValue,
        },
        { requiredKeys: ["type"] },
      );
      const form = fc.oneof(
        slackPayload.map((p) => ({ payload: JSON.stringify(p) })),
        fc.dictionary(
          fc.constantFrom("payload", "team_id", "user_id", "text", "response_url", "command"),
          value,
          {
            maxKeys: 6,
          },
        ),
      );
      await fc.assert(
        fc.asyncProperty(form, async (fields) => {
          const reply = await postSigned(h, route.path, new URLSearchParams(fields).toString());
          if (reply.status >= 500)
            throw new Error(`${reply.status} for ${route.path}: ${JSON.stringify(reply.body)}`);
          if (reply.status >= 400) {
            const code = (reply.body as { error?: { code?: string } }).error?.code ?? "";
            if (!DOCUMENTED_4XX.has(code)) throw new Error(`undocumented code ${code}`);
          }
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );

  it("takes a next_token only from its caller: forged, altered and borrowed ones are 400, expired ones go on", async () => {
    // Prepare: the fuzz above may have published settings or placed locks as an admin, so this
    // test's repo gets settings of its own and no lock stands.
    const admin = h.client.as(ADMIN);
    h.clock.advance(61_000); // past the admin's publish rate limit, which the fuzz may have used up
    expect((await admin.put("/v1/repos/fuzz-pages%2Fapp/settings", HARNESS_SETTINGS)).status).toBe(200);
    const locks = await admin.get<{ items: { lock_id: string }[] }>("/v1/locks");
    for (const lock of locks.body.items) await admin.delete(`/v1/locks/${lock.lock_id}`);
    // Two approvers of the same requests, each with a real token for the second page.
    const pagedTask = await createTask(h.client, { repo: "fuzz-pages/app" });
    for (const branch of ["main", "master", "prod"])
      await requestApproval(h.client, pagedTask, `git push --force origin ${branch}`);
    const tokenOf = async (who: string) =>
      String((await h.client.as(who).get<{ next_token?: string }>("/v1/pending?limit=1")).body.next_token);
    const tokens = new Map([
      [OWNER, await tokenOf(OWNER)],
      [APPROVER, await tokenOf(APPROVER)],
    ]);
    const base64url = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
    const forge = fc.oneof(
      fc.constant((own: string) => own),
      fc.constant((_own: string, other: string) => other),
      fc.tuple(fc.nat(), base64url).map(
        ([at, c]) =>
          (own: string) =>
            `${own.slice(0, at % own.length)}${c}${own.slice((at % own.length) + 1)}`,
      ),
      fc.nat().map((at) => (own: string) => own.slice(0, at % own.length)),
      fc
        .string({ unit: base64url, minLength: 1, maxLength: 8 })
        .map((tail) => (own: string) => `${own}${tail}`),
      fc.constant((own: string, other: string) => `${own.split(".")[0]}.${other.split(".")[1]}`),
      fc.string({ unit: base64url, minLength: 1, maxLength: 200 }).map((text) => () => text),
    );

    // Act and assess: only the caller's own token is a position; deadlines pass as the runs go on.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(OWNER, APPROVER),
        forge,
        fc.integer({ min: 1_000, max: 60_000 }),
        async (caller, make, advanceMs) => {
          h.clock.advance(advanceMs);
          const own = tokens.get(caller) ?? "";
          const token = make(own, tokens.get(caller === OWNER ? APPROVER : OWNER) ?? "");
          const reply = await h.client
            .as(caller)
            .get<{ error?: { code: string } }>(`/v1/pending?limit=1&next_token=${encodeURIComponent(token)}`);
          const outcome = [reply.status, reply.body.error?.code];
          expect(outcome).toEqual(token === own ? [200, undefined] : [400, "VALIDATION_ERROR"]);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("leaves Object.prototype untouched", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
