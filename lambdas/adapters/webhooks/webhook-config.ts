import * as z from "zod/mini";

/** The bodies a webhook endpoint can ask for. */
export const WEBHOOK_FORMATS = ["json", "adaptive-card"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Hosts a plain-http endpoint may use: this machine only, for local mode and its tests. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The shortest secret accepted; an HMAC key much shorter than its 32-byte output is guessable. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

const EndpointSchema = z.strictObject({
  /** Names the endpoint in logs and in `notify_channels` (`webhook:<id>`). */
  id: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lowercase letters, digits, _ and -, at most 32")),
  url: z.url(),
  /** The signing secret itself: local mode. */
  secret: z.optional(z.string().check(z.minLength(MIN_WEBHOOK_SECRET_LENGTH))),
  /** The name of the Secrets Manager secret that holds it: AWS. */
  secret_name: z.optional(z.string().check(z.minLength(1))),
  /** @default "json" */
  format: z.optional(z.enum(WEBHOOK_FORMATS)),
});

/** One endpoint as configured: the secret either itself (local mode) or the name of its secret (AWS). */
export type WebhookEndpointConfig = z.infer<typeof EndpointSchema>;

/** An endpoint with its secret read: what a webhook channel is built from. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly format: WebhookFormat;
}

/**
 * Reads `GATES_WEBHOOKS`: a JSON array of endpoints `{id, url, secret | secret_name, format?}`.
 * URLs must be https, except on this machine's loopback; redirects are never followed, so a signed
 * body goes only where it was configured to.
 *
 * @throws naming the variable and what to fix, when it is malformed
 */
export function readWebhookConfig(
  env: Readonly<Record<string, string | undefined>>,
): WebhookEndpointConfig[] {
  const raw = env.GATES_WEBHOOKS?.trim();
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(
      "GATES_WEBHOOKS is not JSON; set it to an array of {id, url, secret | secret_name, format}.",
    );
  }
  return parseWebhookEndpoints(json, "GATES_WEBHOOKS");
}

/**
 * Checks a list of endpoints from any source (the environment, the CDK app's context).
 *
 * @throws naming `source` and the first problem
 */
export function parseWebhookEndpoints(json: unknown, source: string): WebhookEndpointConfig[] {
  const parsed = z.array(EndpointSchema).safeParse(json);
  if (!parsed.success) throw new Error(`${source} is invalid: ${z.prettifyError(parsed.error)}`);
  const seen = new Set<string>();
  for (const endpoint of parsed.data) {
    const where = `${source}: endpoint "${endpoint.id}"`;
    if (seen.has(endpoint.id)) throw new Error(`${where} is listed twice; endpoint ids are unique.`);
    seen.add(endpoint.id);
    const url = new URL(endpoint.url);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
      throw new Error(`${where} must use https (plain http only on 127.0.0.1 or localhost).`);
    }
    if (url.username || url.password) throw new Error(`${where} must not carry credentials in its URL.`);
    if ((endpoint.secret === undefined) === (endpoint.secret_name === undefined)) {
      throw new Error(`${where} needs exactly one of secret (local mode) or secret_name (Secrets Manager).`);
    }
  }
  return parsed.data;
}

/** The channel name of an endpoint, as `notify_channels` lists it. */
export function webhookChannelName(id: string): string {
  return `webhook:${id}`;
}
