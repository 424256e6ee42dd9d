/**
 * The console's security headers, in one place: the local server sends them with every file of
 * the site and the CDK stack's CloudFront response headers policy is built from them.
 *
 * The policy allows scripts and styles from the site itself only, no inline code, no frames, no
 * plugins, and Trusted Types with no policy at all, so assigning markup to `innerHTML` or any
 * other HTML sink throws: the console can only ever put text into the page.
 */

/** The Content-Security-Policy, given the origins besides its own that the console talks to. */
export function consoleContentSecurityPolicy(connectTo: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectTo].join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; ");
}

/** HSTS max-age: two years, as browsers' preload lists ask. */
export const HSTS_MAX_AGE_S = 63_072_000;

/** The headers besides the CSP, by name, as the local server sends them. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};
