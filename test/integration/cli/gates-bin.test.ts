import { spawnSync } from "node:child_process";
import { join } from "node:path";

describe("the gates package bin", () => {
  it("starts from source and prints the usage", () => {
    const bin = join(__dirname, "../../../cli/bin/gates.cjs");
    const run = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8", timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: gates");
  });
});
