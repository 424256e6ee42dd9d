import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";

/** What `gates login` keeps of a Cognito sign-in between runs. */
export const CachedLoginSchema = z.object({
  id_token: z.string().min(1),
  refresh_token: z.string().optional(),
  /** Epoch milliseconds after which the id token is no longer accepted. */
  expires_at: z.number(),
  client_id: z.string().min(1),
  region: z.string().min(1),
  username: z.string().min(1),
});
export type CachedLogin = z.infer<typeof CachedLoginSchema>;

/**
 * One profile: an API and the credentials for it. The credentials are sent only to the
 * profile's own URL (same origin), so a token cannot leak to another host by a changed flag.
 */
export const ProfileSchema = z.object({
  url: z.string().url(),
  /** A Cognito sign-in, refreshed as it nears expiry. */
  login: CachedLoginSchema.optional(),
  /** A token given to `gates login --with-token`, e.g. `local:human:alice`. */
  token: z.string().min(1).optional(),
  cognito: z
    .object({
      client_id: z.string().min(1),
      region: z.string().min(1),
      /** The Hosted UI `gates login --web` signed in through. */
      hosted_ui_url: z.string().url().optional(),
    })
    .optional(),
  identity_pool: z
    .object({ identity_pool_id: z.string().min(1), user_pool_id: z.string().min(1) })
    .optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** The profile used when neither `--profile` nor `GATES_PROFILE` names one. */
export const DEFAULT_PROFILE = "default";
/** A profile name is a file name, so nothing like `../x` gets through. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

type Env = Readonly<Record<string, string | undefined>>;

/** `~/.config/gates`, or `GATES_CONFIG_DIR`, or `$XDG_CONFIG_HOME/gates`. */
export function configDir(env: Env): string {
  return env.GATES_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), ".config"), "gates");
}

/** Where a profile lives: `<config dir>/profiles/<name>.json`. */
export function profilePath(env: Env, name: string): string {
  if (!PROFILE_NAME.test(name)) throw new TypeError(`not a profile name: ${name}`);
  return join(configDir(env), "profiles", `${name}.json`);
}

/** The profile, or undefined when there is none; an unreadable file is refused, not ignored. */
export async function readProfile(env: Env, name: string): Promise<Profile | undefined> {
  let text: string;
  try {
    text = await readFile(profilePath(env, name), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = ProfileSchema.safeParse(safeJson(text));
  if (!parsed.success)
    throw new Error(`${profilePath(env, name)} is not a gates profile; remove it or run gates login again`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Saves a profile readable by the user only: it holds credentials. */
export async function writeProfile(env: Env, name: string, profile: Profile): Promise<string> {
  const path = profilePath(env, name);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(ProfileSchema.parse(profile), null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists, so set it explicitly.
  await chmod(path, 0o600);
  return path;
}

/** The names of the saved profiles, sorted. */
export async function listProfiles(env: Env): Promise<string[]> {
  const files = await readdir(join(configDir(env), "profiles")).catch(() => [] as string[]);
  return files
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .filter((n) => PROFILE_NAME.test(n))
    .sort();
}
