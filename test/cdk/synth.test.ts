import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const REPO = join(__dirname, "..", "..");

/** The environment of a fresh machine: no AWS credentials or profile, and no Docker anywhere on PATH. */
function bareEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("AWS_") && !name.startsWith("CDK_")) env[name] = value;
  }
  const path = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => spawnSync("test", ["-x", join(dir, "docker")]).status !== 0)
    .join(delimiter);
  return {
    ...env,
    PATH: path,
    HOME: home,
    CDK_DOCKER: "/nonexistent/docker",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

describe("npm run synth", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "gates-synth-"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("synthesizes the stack, bundled and cdk-nag clean, with no credentials and no Docker", () => {
    // Act
    const out = join(scratch, "cdk.out");
    const run = spawnSync("npm", ["run", "synth", "--", "--output", out], {
      cwd: REPO,
      env: bareEnvironment(join(scratch, "home")),
      encoding: "utf8",
      timeout: 120_000,
    });

    // Assess
    expect({ status: run.status, stderr: run.status === 0 ? "" : run.stderr }).toEqual({
      status: 0,
      stderr: "",
    });
    const template = JSON.parse(readFileSync(join(out, "ApprovalGates.template.json"), "utf8"));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toContain("AWS::ApiGateway::RestApi");
    expect(types).toContain("AWS::Lambda::LayerVersion");
    const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8"));
    expect(report.pluginReports).toEqual([
      expect.objectContaining({ pluginName: "AwsSolutions", conclusion: "success", violations: [] }),
    ]);
  }, 150_000);
});
