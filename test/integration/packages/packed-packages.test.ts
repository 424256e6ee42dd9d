import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type BuiltPackage, buildPackages } from "../../../scripts/build-packages";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { installOffline } from "../../support/offline-install";

const ROOT = join(__dirname, "../../..");
const ROOT_MANIFEST = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

let h: Harness;
let work: string;
let project: string;
let cli: BuiltPackage;
let sdk: BuiltPackage;

beforeAll(async () => {
  h = await startHarness();
  work = mkdtempSync(join(tmpdir(), "gates-packages-"));
  ({ cli, sdk } = await buildPackages(join(work, "dist")));
  project = join(work, "consumer");
  const tarballs = [cli, sdk].map((p) => ({ path: String(p.tarball), manifest: p.manifest }));
  installOffline(project, tarballs);
}, 240_000);
afterAll(async () => {
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The files inside a tarball, without npm's `package/` prefix. */
function filesOf(tarball: string | undefined): string[] {
  return execFileSync("tar", ["-tzf", String(tarball)], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""))
    .sort();
}

/** Runs a program without blocking: the control plane answering it lives in this process. */
function run(file: string, args: readonly string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { cwd: project, env, timeout: 100_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs the installed `gates` through its bin link, with nothing but node on the PATH. */
function gates(args: readonly string[]) {
  return run(join(project, "node_modules/.bin/gates"), args, {
    PATH: dirname(process.execPath),
    HOME: project,
    GATES_CONFIG_DIR: join(project, ".gates-config"),
  });
}

describe("the packed packages", () => {
  it("ship the CLI as one JavaScript bin with only runtime dependencies", () => {
    // Assess
    expect(filesOf(cli.tarball)).toEqual(["README.md", "gates.cjs", "package.json"]);
    expect(cli.manifest).toMatchObject({ name: "@approval-gates/cli", version: ROOT_MANIFEST.version });
    expect(cli.manifest.bin).toEqual({ gates: "gates.cjs" });
    const deps = cli.manifest.dependencies as Record<string, string>;
    for (const [name, range] of Object.entries(deps)) expect(ROOT_MANIFEST.dependencies[name]).toBe(range);
    expect(Object.keys(deps)).toEqual(expect.arrayContaining(["commander", "zod"]));
    expect(Object.keys(deps)).not.toEqual(expect.arrayContaining(["tsx"]));
    expect(cli.manifest).not.toHaveProperty("devDependencies");
    // A bundle of our code only; its size is deterministic, so it is held to a budget that a
    // dependency bundled by mistake (hundreds of KiB) cannot fit in.
    expect(statSync(join(cli.dir, "gates.cjs")).size).toBeLessThan(196 * 1024);
  });

  it("ship the SDK for ESM and CommonJS with one declaration file for both", () => {
    // Assess
    expect(filesOf(sdk.tarball)).toEqual([
      "README.md",
      "index.cjs",
      "index.d.cts",
      "index.d.mts",
      "index.mjs",
      "package.json",
    ]);
    expect(sdk.manifest.exports).toEqual({
      ".": {
        import: { types: "./index.d.mts", default: "./index.mjs" },
        require: { types: "./index.d.cts", default: "./index.cjs" },
      },
      "./package.json": "./package.json",
    });
    const deps = Object.keys(sdk.manifest.dependencies as object);
    expect(deps).toEqual(expect.arrayContaining(["zod", "@smithy/signature-v4"]));
    expect(deps).not.toContain("commander");
    expect(statSync(join(sdk.dir, "index.cjs")).size).toBeLessThan(64 * 1024);
  });

  it("run gates --version, --help and a command against the local control plane with plain node", async () => {
    // Act
    const version = await gates(["--version"]);
    const help = await gates(["--help"]);
    const pending = await gates(["--url", h.plane.url, "--token", "local:human:alice", "pending", "--json"]);
    const dev = await gates(["dev"]);

    // Assess
    expect(version.stdout.trim()).toBe(ROOT_MANIFEST.version);
    expect(version.status).toBe(0);
    expect(help.stdout).toContain("Usage: gates");
    expect(help.stdout).toContain("completion");
    expect({ status: pending.status, stderr: pending.stderr }).toEqual({ status: 0, stderr: "" });
    expect(JSON.parse(pending.stdout)).toEqual({ items: [] });
    expect(dev.status).toBe(2);
    expect(dev.stderr).toContain("comes with a checkout of Approval Gates");
  });

  it("let CommonJS and ESM code evaluate tool calls with the SDK, failing closed on a hard rule", async () => {
    // Prepare
    const script = (load: string) => `${load}
const gates = new GatesClient({ url: process.env.GATES_URL, auth: { token: "local:agent:packed" } });
const id = "packed-" + process.argv[2];
gates
  .createTask({ task_id: id, owner: "alice", repo: "acme/app" })
  .then(() => gates.evaluate(id, { tool_name: "Bash", tool_input: { command: "ls -la" } }))
  .then(async (ls) => {
    const wipe = await gates.guard(id, "Bash", { command: "rm -rf /" });
    console.log(JSON.stringify({ ls: ls.decision, wipe }));
  });
`;
    writeFileSync(
      join(project, "check.cjs"),
      script('const { GatesClient } = require("@approval-gates/sdk");'),
    );
    writeFileSync(join(project, "check.mjs"), script('import { GatesClient } from "@approval-gates/sdk";'));

    // Act
    const runs = await Promise.all(
      ["check.cjs", "check.mjs"].map((file) =>
        run(process.execPath, [file, file.replace(".", "-")], {
          PATH: dirname(process.execPath),
          GATES_URL: h.plane.url,
        }),
      ),
    );

    // Assess
    for (const run of runs) {
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      expect(JSON.parse(run.stdout)).toMatchObject({
        ls: "ALLOW",
        wipe: { allowed: false, decision: "DENY" },
      });
    }
  });

  it("type-check a consumer that imports the SDK from ESM and from CommonJS", async () => {
    // Prepare
    const consumer = `import { GatesApiError, GatesClient, type GuardResult, type TaskView } from "@approval-gates/sdk";
const client = new GatesClient({ url: "http://127.0.0.1:3000", auth: { sigv4: { region: "eu-west-1" } } });
export const guarded: Promise<GuardResult> = client.guard("t", "Bash", { command: "ls" });
export const task: Promise<TaskView> = client.task("t");
export const isApiError = (e: unknown): boolean => e instanceof GatesApiError && e.status === 503;
`;
    writeFileSync(join(project, "consumer.mts"), consumer);
    writeFileSync(join(project, "consumer.cts"), consumer);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "node16",
          moduleResolution: "node16",
          target: "es2022",
          strict: true,
          noEmit: true,
          // Our declarations are checked through their use here; zod's own are not ours to check.
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        files: ["consumer.mts", "consumer.cts"],
      }),
    );

    // Act
    const tsc = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project], {
      PATH: dirname(process.execPath),
    });

    // Assess
    expect({ status: tsc.status, out: tsc.stdout }).toEqual({ status: 0, out: "" });
  }, 120_000);
});
