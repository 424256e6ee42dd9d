import type { CachedLogin, Profile } from "./auth/profile-store";

/** The default API: the local control plane of `npm start` / `gates dev`. */
export const DEFAULT_URL = "http://127.0.0.1:3000";

/** Where a command's credentials come from; `whoami` shows it. */
export type Credentials =
  | { readonly kind: "token"; readonly token: string; readonly source: "--token" | "GATES_TOKEN" | "profile" }
  | { readonly kind: "login"; readonly login: CachedLogin }
  | { readonly kind: "sigv4" }
  | { readonly kind: "none" };

/** The API a command talks to and how it proves who it is. */
export interface Target {
  readonly url: string;
  readonly credentials: Credentials;
  /**
   * Why the profile's credentials are withheld: the URL is another origin than the one they
   * belong to. Commands that call the API refuse to run; `login` replaces them.
   */
  readonly withheld?: string;
}

export interface TargetInput {
  readonly flags: { readonly url?: string; readonly token?: string; readonly sigv4?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly profileName: string;
  readonly profile: Profile | undefined;
}

/** `https://host:port` of a URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Chooses the URL and the credentials of a command. Explicit ones win (`--url`, `--token`,
 * `GATES_URL`, `GATES_TOKEN`, `--sigv4`), then the profile's. A profile's credentials are
 * only ever sent to its own origin: with a URL elsewhere they are withheld.
 */
export function resolveTarget(input: TargetInput): Target {
  const { flags, env, profile } = input;
  const url = flags.url ?? env.GATES_URL ?? profile?.url ?? DEFAULT_URL;
  const explicit = flags.token ?? env.GATES_TOKEN;
  if (explicit !== undefined)
    return {
      url,
      credentials: { kind: "token", token: explicit, source: flags.token ? "--token" : "GATES_TOKEN" },
    };
  if (flags.sigv4) return { url, credentials: { kind: "sigv4" } };
  const held: Credentials | undefined = profile?.login
    ? { kind: "login", login: profile.login }
    : profile?.token
      ? { kind: "token", token: profile.token, source: "profile" }
      : undefined;
  if (!profile || !held) return { url, credentials: { kind: "none" } };
  if (originOf(url) !== originOf(profile.url))
    return {
      url,
      credentials: { kind: "none" },
      withheld: `profile "${input.profileName}" holds credentials for ${profile.url}, so they are not sent to ${url}; use a profile for that API (gates --profile NAME --url ${url} login …) or pass --token`,
    };
  return { url, credentials: held };
}
