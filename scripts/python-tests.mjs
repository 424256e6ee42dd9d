// `npm run test:python`, and the python stage of `npm test`: starts `npm start -- --in-memory` on
// a free port, runs the Python client's unittest suite against it, and stops it again.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLIENT = join(ROOT, "clients/python");
const START_TIMEOUT_MS = 90_000;

/** Starts the local control plane in memory on a port of its choosing; resolves with its URL. */
function startControlPlane() {
  const child = spawn(
    process.execPath,
    [
      "--require",
      join(ROOT, "scripts/text-hook.cjs"),
      "--import",
      "tsx",
      join(ROOT, "local/main.ts"),
      "--in-memory",
    ],
    { cwd: ROOT, env: { ...process.env, GATES_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no control plane within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const read = (chunk) => {
      output += chunk;
      const found = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the control plane exited (${code}) before it was ready:\n${output}`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      // SIGTERM lets it stop DynamoDB Local too.
      child.kill("SIGTERM");
    });
  return { url, stop };
}

/** Runs the suite; returns `{ passed, failed }` as the Python runner counted them. */
export async function runPythonTests() {
  const python = process.env.PYTHON ?? "python3";
  const plane = startControlPlane();
  const dir = mkdtempSync(join(tmpdir(), "gates-python-"));
  const report = join(dir, "report.json");
  try {
    const url = await plane.url;
    const run = spawnSync(python, ["-m", "tests", "--report", report], {
      cwd: CLIENT,
      stdio: "inherit",
      env: { ...process.env, GATES_TEST_URL: url, PYTHONDONTWRITEBYTECODE: "1" },
    });
    if (run.error) throw run.error;
    const counts = JSON.parse(readFileSync(report, "utf8"));
    return {
      passed: counts.passed,
      failed: counts.failed + (run.status === 0 ? 0 : counts.failed === 0 ? 1 : 0),
    };
  } catch (error) {
    console.error(`python tests could not run: ${error instanceof Error ? error.message : error}`);
    return { passed: 0, failed: 1 };
  } finally {
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed } = await runPythonTests();
  console.log(`\npython: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
