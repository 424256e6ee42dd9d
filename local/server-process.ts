import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");

/**
 * `npm start` in a child process, on its own port, exactly as a user runs it: used where the
 * server must be measured or killed from outside (the soak benchmark, the SIGKILL fault test).
 */
export function spawnLocalServer(port: number, args: readonly string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--require",
      join(ROOT, "scripts/text-hook.cjs"),
      "--import",
      "tsx",
      join(ROOT, "local/main.ts"),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, GATES_PORT: String(port) }, stdio: "ignore" },
  );
}
