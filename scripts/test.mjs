// `npm test`: typecheck, lint, every jest project, then the Python client's suite; every stage
// runs even when an earlier one fails, so one run shows every problem. Ends with the plain line
// `N passed, M failed`, where typecheck and lint count as one check each next to the tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPythonTests } from "./python-tests.mjs";

// The project's own binaries, run directly: no npx start-up cost and no npm config warnings.
const bin = (name) => join("node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
// Node 20 is supported; the AWS SDK's notice about its future releases would repeat in every worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
let passed = 0;
let failed = 0;

function stage(name, [command, ...args]) {
  console.log(`\n> ${name}: ${command} ${args.join(" ")}`);
  const { status } = spawnSync(bin(command), args, { stdio: "inherit" });
  if (status === 0) passed += 1;
  else failed += 1;
  console.log(`${name}: ${status === 0 ? "ok" : "FAILED"}`);
}

stage("typecheck", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
stage("typecheck console", ["tsc", "--noEmit", "-p", "console/tsconfig.json"]);
stage("lint", ["biome", "check", "."]);

const dir = mkdtempSync(join(tmpdir(), "gates-jest-"));
const report = join(dir, "report.json");
console.log("\n> jest (unit, integration, cdk)");
const jest = spawnSync(bin("jest"), ["--json", `--outputFile=${report}`, ...process.argv.slice(2)], {
  stdio: "inherit",
});
try {
  const results = JSON.parse(readFileSync(report, "utf8"));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that fails to load has no failed test of its own; count it so it cannot hide.
  failed += results.testResults.filter(
    (r) => r.status === "failed" && r.assertionResults.length === 0,
  ).length;
  if (jest.status !== 0 && results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0)
    failed += 1;
} catch {
  console.error("jest produced no report");
  failed += 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The Python client's suite, against a control plane of its own; each of its tests counts.
console.log("\n> python client (clients/python)");
const python = await runPythonTests();
passed += python.passed;
failed += python.failed;
console.log(`python: ${python.failed === 0 ? "ok" : "FAILED"}`);

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
