import { type CliIo, runCli } from "../../../cli/main";

/** What one in-process `gates` run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gates` in-process against `url` with `token`, capturing its output. */
export async function gates(
  url: string,
  token: string | undefined,
  argv: readonly string[],
  extra: Partial<CliIo> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    // An empty config dir, so no real `gates login` cache leaks into a test.
    env: {
      GATES_URL: url,
      GATES_CONFIG_DIR: "/nonexistent/gates-test",
      ...(token ? { GATES_TOKEN: token } : {}),
    },
    ...extra,
  });
  return { code, stdout, stderr };
}

/** Parses the JSON a `--json` run printed. */
export function jsonOf(run: CliRun): Record<string, unknown> {
  const value: unknown = JSON.parse(run.stdout);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`not an object: ${run.stdout}`);
  return value as Record<string, unknown>;
}
