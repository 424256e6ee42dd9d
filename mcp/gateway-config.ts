import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CreateTaskBodySchema } from "../contracts/api";

/**
 * An upstream's name becomes the prefix of its tools' names (`files__read`), so it is short,
 * lower case and never contains the `__` separator.
 */
export const UPSTREAM_NAME = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** Values that may name an environment variable as `${NAME}`; the gateway substitutes them at start. */
const Expandable = z.string().max(4096);

const StdioUpstreamSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(Expandable).max(100).optional(),
  /** Exactly the variables the upstream gets besides a minimal PATH/HOME set: its credentials live here. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), Expandable).optional(),
  cwd: z.string().optional(),
});

const HttpUpstreamSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string().min(1), Expandable).optional(),
});

const ControlPlaneSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** The environment variable holding the gateway's agent token (e.g. `local:agent:gateway`). */
  token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
  /** Sign with SigV4 from the default AWS credential chain instead (an IAM agent on a deployed API). */
  sigv4: z.boolean().optional(),
});

const HttpListenerSchema = z.strictObject({
  /** @default 127.0.0.1 — only this machine can connect */
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535),
  /** @default /mcp */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/)
    .optional(),
  /** The environment variable holding a bearer token every MCP client must send. @default no token */
  token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
});

/** The gateway's configuration file, as JSON. */
export const GatewayConfigSchema = z.strictObject({
  control_plane: ControlPlaneSchema,
  /**
   * The task each MCP session works in: the body of `POST /v1/tasks`. Without `task_id` each
   * session registers its own task; with one, every session shares it.
   */
  task: CreateTaskBodySchema,
  upstreams: z
    .record(
      z.string().regex(UPSTREAM_NAME, "upstream names are lower-case words joined by - or _"),
      z.union([StdioUpstreamSchema, HttpUpstreamSchema]),
    )
    .refine((u) => Object.keys(u).length > 0, "name at least one upstream MCP server"),
  /** Exposed tool names (globs, `*` and `?`) that are neither listed nor callable. */
  hide: z.array(z.string().min(1).max(256)).max(500).optional(),
  /**
   * Exposed tool names that look like an approval-control operation (approve, deny, cancel,
   * grant, revoke, policy) but are known to be something else; they are hidden otherwise.
   */
  allow_control_like: z.array(z.string().min(1).max(256)).max(500).optional(),
  /** How long a forwarded call may run before it is an upstream error. @default 60 */
  call_timeout_s: z.number().int().min(1).max(3600).optional(),
  /** How often a waiting call sends a progress notification. @default 10 */
  progress_interval_s: z.number().int().min(1).max(25).optional(),
  /** Serve Streamable HTTP instead of stdio. */
  http: HttpListenerSchema.optional(),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type UpstreamConfig = GatewayConfig["upstreams"][string];

/** A configuration that cannot be used; the message names the file, the field and the fix. */
export class GatewayConfigError extends Error {
  override readonly name = "GatewayConfigError";
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces every `${NAME}` with that variable; a variable that is not set is an error, never an empty string. */
export function expandVariables(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): string {
  return text.replace(VARIABLE, (_, name: string) => {
    const value = env[name];
    if (value === undefined)
      throw new GatewayConfigError(`${where} uses \${${name}}, which is not set; export it.`);
    return value;
  });
}

/** Parses a configuration, naming each problem by its field. */
export function parseGatewayConfig(value: unknown, source: string): GatewayConfig {
  const parsed = GatewayConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
  throw new GatewayConfigError(`${source} is not a valid gateway configuration:\n  ${problems.join("\n  ")}`);
}

/** Reads and checks the configuration file. */
export async function loadGatewayConfig(path: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new GatewayConfigError(
      `cannot read the gateway configuration ${path}: ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GatewayConfigError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseGatewayConfig(json, path);
}
