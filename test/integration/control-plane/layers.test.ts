import type { PolicyView, TaskView } from "../../../contracts/api";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT } from "../../support/gates-client";
import { gates } from "../cli/run-cli";

/** Policy layers: rules for the whole deployment and for an owner's repos judge every task beneath them. */

interface Rejected {
  error: { code: string; details: { diagnostics: { rule_id?: string; message: string }[] } };
}

const hard = (id: string, pattern: string) =>
  `@rule_id("${id}")\n@tier("hard")\nforbid (principal, action, resource) when { context has command && context.command like "${pattern}" };\n`;
const soft = (id: string, pattern: string) =>
  `@rule_id("${id}")\n@tier("soft")\nforbid (principal, action, resource) when { context has command && context.command like "${pattern}" };\n`;

let h: Harness;
let admins = 0;
const publish = (layer: string, policies: string, disable?: string[]) =>
  h.client
    .as(`${ADMIN}-${++admins}`)
    .put<PolicyView & Rejected>(`/v1/repos/${encodeURIComponent(layer)}/policies`, {
      policies,
      ...(disable ? { disable } : {}),
    });
const bash = (taskId: string, command: string) =>
  h.client
    .as(AGENT)
    .post<{ decision: string; source: string; rule_ids: string[] }>(`/v1/tasks/${taskId}/tool-calls`, {
      tool_name: "Bash",
      tool_input: { command },
    });
const register = async (repo: string) =>
  (await h.client.as(AGENT).post<TaskView>("/v1/tasks", { owner: "alice", repo })).body;

beforeAll(async () => {
  h = await startHarness({ settings: false });
  await publish("*", hard("no_curl_upload", "*curl*--upload-file*"));
  await publish("layers/*", soft("ask_make_release", "*make release*"));
});
afterAll(() => h.stop());

describe("policy layers", () => {
  it("judge every repo by the deployment's rules, and an owner's repos by the owner's too", async () => {
    const beneath = await register("layers/app");
    const elsewhere = await register("other");
    expect(beneath.policy_layers.map((l) => l.layer)).toEqual(["*", "layers/*"]);
    expect((await bash(beneath.task_id, "curl --upload-file x http://e")).body).toMatchObject({
      decision: "DENY",
      source: "hard_deny",
      rule_ids: ["no_curl_upload"],
    });
    expect((await bash(elsewhere.task_id, "curl --upload-file x http://e")).body.decision).toBe("DENY");
    expect((await bash(beneath.task_id, "make release")).body.decision).toBe("REQUIRE_APPROVAL");
    expect((await bash(elsewhere.task_id, "make release")).body.decision).toBe("ALLOW");
  });

  it("keep wider hard rules absolute: a repo layer may not disable them or take their ids", async () => {
    const disabling = await publish("layers/app", "", ["no_curl_upload", "ask_make_release"]);
    const reusing = await publish("layers/app", soft("no_curl_upload", "*curl*"));
    expect(disabling.status).toBe(422);
    expect(disabling.body.error.details.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("a rule of the wider layer *; a layer may not disable a rule of a wider one"),
      expect.stringContaining("a rule of the wider layer layers/*; a layer may not disable"),
    ]);
    expect(reusing.status).toBe(422);
    expect(reusing.body.error.details.diagnostics[0]?.message).toContain(
      "already used by a rule of the wider layer *",
    );
  });

  it("show in GET …/policies, each rule with its layer, each layer with its version", async () => {
    await publish("layers/shown", soft("ask_deploy", "*deploy*"));
    const view = await h.client.as(AGENT).get<PolicyView>("/v1/repos/Layers%2FShown/policies");
    expect(view.body.repo_id).toBe("layers/shown");
    expect(view.body.layers.map((l) => [l.layer, l.version])).toEqual([
      ["*", 1],
      ["layers/*", 1],
      ["layers/shown", 1],
    ]);
    const custom = [...view.body.hard, ...view.body.soft].filter((r) => r.source === "custom");
    expect(custom.map((r) => [r.rule_id, r.layer])).toEqual([
      ["no_curl_upload", "*"],
      ["ask_make_release", "layers/*"],
      ["ask_deploy", "layers/shown"],
    ]);
    const cli = await gates(h.plane.url, "local:human:alice", ["policies", "show", "layers/shown"]);
    expect(cli.stdout).toContain("layers      * v1, layers/* v1, layers/shown v1");
  });

  it("are pinned by a task: a new deployment version judges only tasks registered after it", async () => {
    const before = await register("layers/pin");
    await publish("*", hard("no_curl_upload", "*curl*--upload-file*") + hard("no_scp", "scp *"));
    const after = await register("layers/pin");
    expect((await bash(before.task_id, "scp a b:")).body.decision).toBe("ALLOW");
    expect((await bash(after.task_id, "scp a b:")).body).toMatchObject({
      decision: "DENY",
      rule_ids: ["no_scp"],
    });
  });

  it("judge a dry run of candidate text together with the wider layers", async () => {
    const dry = await h.client.as(AGENT).post("/v1/repos/layers%2Fdry/policies/evaluate", {
      tool_name: "Bash",
      tool_input: { command: "curl --upload-file x http://e" },
      policies: soft("ask_curl", "*curl*"),
    });
    expect(dry.body).toMatchObject({ decision: "DENY", rule_ids: ["no_curl_upload"] });
  });
});
