import type { APIGatewayProxyResult } from "aws-lambda";
import { buildConsole, type ConsoleSite } from "../console/build";
import { CONSOLE_CONFIG_PATH, LOCAL_IDENTITIES, type LocalConsoleConfig } from "../console/config";
import { CONSOLE_SECURITY_HEADERS, consoleContentSecurityPolicy } from "../console/security-headers";
import type { SiteHandler } from "./api-server";

/**
 * The web console as local mode serves it, on the API's own origin: the site built once (on the
 * first request, so control planes that nobody browses never build it), its local-mode
 * configuration, and the same security headers as the deployment's CloudFront sends.
 */
export function localConsoleSite(options: { readonly criticalSignInMaxAgeMin: number }): SiteHandler {
  let site: ConsoleSite | undefined;
  const config: LocalConsoleConfig = {
    mode: "local",
    identities: LOCAL_IDENTITIES,
    criticalSignInMaxAgeMin: options.criticalSignInMaxAgeMin,
  };
  const headers = {
    ...CONSOLE_SECURITY_HEADERS,
    "content-security-policy": consoleContentSecurityPolicy(),
    "cache-control": "no-store",
  };
  return (path) => {
    if (path === CONSOLE_CONFIG_PATH) {
      return answer(Buffer.from(JSON.stringify(config)), "application/json", headers);
    }
    site ??= buildConsole();
    const file = site.get(path === "/" ? "/index.html" : path);
    return file ? answer(file.body, file.contentType, headers) : undefined;
  };
}

function answer(
  body: Uint8Array,
  contentType: string,
  headers: Record<string, string>,
): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { ...headers, "content-type": contentType },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}
